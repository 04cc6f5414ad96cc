import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { ArchivedRecord, recordAad } from '../archive/archive-record';
import { ArchiveService } from '../archive/archive.service';
import { queryTerms, textMatches } from '../archive/search-terms';
import { open } from '../crypto/aead';
import { KeyRing } from '../crypto/key-ring.service';
import { searchableText } from '../ingest/event-records';
import { AccessControl } from './access-control.service';
import { ownRecord } from './own-records';
import { SearchCursor, SearchRepository } from './search.repository';

export interface ArchiveQuery {
  conversationId?: string;
  participant?: string;
  from?: string;
  to?: string;
  messageType?: string;
  keyword?: string;
  pageSize?: number;
  pageToken?: string;
}

export interface ArchivedMessageView {
  seq: number;
  eventId: string;
  eventType: string;
  conversationId: string;
  sender: string;
  messageType: string;
  sentAt: Date;
  payload: unknown;
}

export interface SearchPage {
  messages: ArchivedMessageView[];
  nextPageToken: string;
}

const MAX_PAGE = 100;
const MAX_KEYWORD = 200;
/** Candidates examined per search before returning a partial page with a token to continue. */
const MAX_CANDIDATES = 5_000;

function parseTime(value: string | undefined, name: string): Date | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new ValidationError(`${name} is not an ISO 8601 time`);
  return at;
}

function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify({ t: c.occurredAt.toISOString(), s: c.seq })).toString('base64url');
}

function decodeCursor(token: string | undefined): SearchCursor | undefined {
  if (!token) return undefined;
  try {
    const { t, s } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { t: string; s: number };
    const occurredAt = new Date(t);
    if (Number.isNaN(occurredAt.getTime()) || !Number.isInteger(s)) throw new Error('bad cursor');
    return { occurredAt, seq: s };
  } catch {
    throw new ValidationError('pageToken is malformed');
  }
}

/**
 * Compliance search. Metadata filters run in SQL; a keyword becomes keyed index terms (the
 * database never sees the word), candidates come back newest first, are decrypted and confirmed
 * against the real text. The search itself — who, what was asked, which records were shown — is
 * archived before the answer leaves.
 */
@Injectable()
export class SearchService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly access: AccessControl,
    private readonly search: SearchRepository,
    private readonly keys: KeyRing,
    private readonly archive: ArchiveService,
  ) {}

  async searchMessages(caller: CallerIdentity, query: ArchiveQuery): Promise<SearchPage> {
    await this.access.requireOfficer(caller);
    const pageSize = query.pageSize || 20;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) throw new ValidationError(`pageSize must be 1 to ${MAX_PAGE}`);
    const keyword = query.keyword?.trim() ?? '';
    if (keyword.length > MAX_KEYWORD) throw new ValidationError(`keyword is longer than ${MAX_KEYWORD} characters`);
    let terms: string[] | undefined;
    if (keyword) {
      const plain = queryTerms(keyword);
      if (plain.length === 0) throw new ValidationError('keyword needs at least two Chinese characters or one word');
      const hash = await this.keys.termHasher(caller.corpId);
      terms = [...new Set(plain.map(hash))];
    }
    const base = {
      corpId: caller.corpId,
      conversationId: query.conversationId || undefined,
      participant: query.participant || undefined,
      messageType: query.messageType || undefined,
      from: parseTime(query.from, 'from'),
      to: parseTime(query.to, 'to'),
      terms,
    };
    const messages: ArchivedMessageView[] = [];
    let cursor = decodeCursor(query.pageToken);
    let examined = 0;
    let exhausted = false;
    const batch = keyword ? Math.max(50, pageSize * 2) : pageSize;
    while (messages.length < pageSize && !exhausted && examined < MAX_CANDIDATES) {
      const candidates = await this.search.candidates(this.db, { ...base, before: cursor, limit: batch });
      exhausted = candidates.length < batch;
      for (const record of candidates) {
        examined++;
        cursor = { occurredAt: record.occurredAt, seq: record.seq };
        const view = await this.decrypt(record);
        if (view && (!keyword || textMatches(this.textOf(view), keyword))) messages.push(view);
        if (messages.length === pageSize) {
          exhausted = exhausted && record === candidates[candidates.length - 1];
          break;
        }
      }
    }
    const nextPageToken = !exhausted && cursor ? encodeCursor(cursor) : '';
    await this.transactions.run((tx) =>
      this.archive.append(tx, [
        ownRecord(caller.corpId, caller.userId, 'access', 'audit.archive.searched', {
          query: { ...query, pageToken: query.pageToken ?? '' },
          shown: messages.map((m) => m.eventId),
        }),
      ]),
    );
    return { messages, nextPageToken };
  }

  private textOf(view: ArchivedMessageView): string {
    const message = (view.payload as { message?: { content?: unknown } }).message;
    return searchableText(message?.content);
  }

  /** Null when retention shredded the record's key: it can no longer be read by anyone. */
  private async decrypt(record: ArchivedRecord): Promise<ArchivedMessageView | null> {
    const key = await this.keys.keyById(record.corpId, record.dataKeyId);
    if (!key) return null;
    const plain = open(key, record, recordAad(record.corpId, record.eventId, record.dataKeyId));
    const envelope = JSON.parse(plain.toString('utf8')) as { payload: unknown };
    return {
      seq: record.seq,
      eventId: record.eventId,
      eventType: record.eventType,
      conversationId: record.conversationId,
      sender: record.actor,
      messageType: record.messageType,
      sentAt: record.occurredAt,
      payload: envelope.payload,
    };
  }
}
