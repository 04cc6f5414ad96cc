import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, NotFoundError, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { ArchiveService } from '../archive/archive.service';
import { KeyRing } from '../crypto/key-ring.service';
import { AccessControl } from './access-control.service';
import { ArchiveFilterInput, parseArchiveFilter } from './archive-filter';
import { MessageFinder } from './message-finder';
import { ownRecord } from './own-records';
import { ReadScopes } from './read-scope';
import { ArchivedMessageView, RecordReader } from './record-reader';
import { SearchCursor, SearchRepository } from './search.repository';

export type { ArchivedMessageView } from './record-reader';

export interface ArchiveQuery extends ArchiveFilterInput {
  pageSize?: number;
  pageToken?: string;
}

export interface SearchPage {
  messages: ArchivedMessageView[];
  nextPageToken: string;
}

export interface RecordContext {
  before: ArchivedMessageView[];
  record: ArchivedMessageView;
  after: ArchivedMessageView[];
}

const MAX_PAGE = 100;
/** Candidates examined per search before returning a partial page with a token to continue. */
const MAX_CANDIDATES = 5_000;
const MAX_CONTEXT = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify({ t: c.occurredAt.toISOString(), s: c.seq })).toString('base64url');
}

export function decodeCursor(token: string | undefined, name = 'pageToken'): SearchCursor | undefined {
  if (!token) return undefined;
  try {
    const { t, s } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { t: string; s: number };
    const occurredAt = new Date(t);
    if (Number.isNaN(occurredAt.getTime()) || !Number.isInteger(s)) throw new Error('bad cursor');
    return { occurredAt, seq: s };
  } catch {
    throw new ValidationError(`${name} is malformed`, { field: name });
  }
}

/**
 * Compliance search and the context around a hit. Officers only, within their department scope;
 * each read — who, what was asked, which records were shown — is archived before the answer leaves.
 */
@Injectable()
export class SearchService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly access: AccessControl,
    private readonly scopes: ReadScopes,
    private readonly finder: MessageFinder,
    private readonly search: SearchRepository,
    private readonly reader: RecordReader,
    private readonly keys: KeyRing,
    private readonly archive: ArchiveService,
  ) {}

  async searchMessages(caller: CallerIdentity, query: ArchiveQuery): Promise<SearchPage> {
    const grant = await this.access.requireOfficer(caller);
    const pageSize = query.pageSize || 20;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) throw new ValidationError(`pageSize must be 1 to ${MAX_PAGE}`);
    const filter = await parseArchiveFilter(query, this.keys, caller.corpId);
    const scope = await this.scopes.scopeOf(caller.corpId, grant);
    const page = await this.finder.find(scope, filter, {
      cursor: decodeCursor(query.pageToken),
      count: pageSize,
      maxCandidates: MAX_CANDIDATES,
    });
    await this.record(caller, 'audit.archive.searched', {
      query: { ...query, pageToken: query.pageToken ?? '' },
      shown: page.messages.map((m) => m.eventId),
    });
    return { messages: page.messages, nextPageToken: page.cursor ? encodeCursor(page.cursor) : '' };
  }

  /** The messages around one message of a conversation, oldest first, all within the officer's scope. */
  async context(caller: CallerIdentity, eventId: string, before = 10, after = 10): Promise<RecordContext> {
    const grant = await this.access.requireOfficer(caller);
    if (!UUID.test(eventId)) throw new ValidationError('eventId must be a record id (UUID)', { field: 'eventId' });
    for (const [name, n] of [
      ['before', before],
      ['after', after],
    ] as const) {
      if (!Number.isInteger(n) || n < 0 || n > MAX_CONTEXT)
        throw new ValidationError(`${name} must be 0 to ${MAX_CONTEXT}`, { field: name });
    }
    const scope = await this.scopes.scopeOf(caller.corpId, grant);
    const found = await this.search.messageById(this.db, scope, eventId);
    const record = found && (await this.reader.read(found));
    if (!found || !record) throw new NotFoundError('archived message', { eventId });
    const around = async (direction: 'before' | 'after', n: number) => {
      if (!found.conversationId || n === 0) return [];
      const at = { occurredAt: found.occurredAt, seq: found.seq };
      const neighbours = await this.search.neighbours(this.db, scope, found.conversationId, at, direction, n);
      const views = (await Promise.all(neighbours.map((r) => this.reader.read(r)))).filter((v): v is ArchivedMessageView => v !== null);
      return direction === 'before' ? views.reverse() : views;
    };
    const context = { before: await around('before', before), record, after: await around('after', after) };
    await this.record(caller, 'audit.archive.context_viewed', {
      eventId,
      before,
      after,
      shown: [...context.before, record, ...context.after].map((m) => m.eventId),
    });
    return context;
  }

  private async record(caller: CallerIdentity, eventType: string, details: Record<string, unknown>): Promise<void> {
    await this.transactions.run((tx) => this.archive.append(tx, [ownRecord(caller.corpId, caller.userId, 'access', eventType, details)]));
  }
}
