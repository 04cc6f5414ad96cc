import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { textMatches } from '../archive/search-terms';
import { ArchiveFilter } from './archive-filter';
import { ReadScope } from './read-scope';
import { ArchivedMessageView, RecordReader } from './record-reader';
import { SearchCursor, SearchRepository } from './search.repository';

export interface FindOptions {
  /** Continue after this position (newest first). */
  cursor?: SearchCursor;
  /** How many matches to return at most. */
  count: number;
  /** Only records up to this chain position. */
  maxSeq?: number;
  /** Candidates examined before returning a partial page with a cursor to continue. */
  maxCandidates: number;
}

export interface FoundPage {
  messages: ArchivedMessageView[];
  /** Where to continue; undefined when nothing is left. */
  cursor?: SearchCursor;
}

/**
 * Messages that match a filter within a reader's scope, newest first: metadata filters run in
 * SQL, keyword candidates come from the blind index and are confirmed against the decrypted text.
 */
@Injectable()
export class MessageFinder {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly search: SearchRepository,
    private readonly reader: RecordReader,
  ) {}

  async find(scope: ReadScope, filter: ArchiveFilter, options: FindOptions): Promise<FoundPage> {
    const { keyword } = filter;
    const messages: ArchivedMessageView[] = [];
    let cursor = options.cursor;
    let examined = 0;
    let exhausted = false;
    const batch = keyword ? Math.max(50, options.count * 2) : options.count;
    while (messages.length < options.count && !exhausted && examined < options.maxCandidates) {
      const candidates = await this.search.candidates(this.db, {
        scope,
        conversationId: filter.conversationId,
        participants: filter.participants,
        departmentId: filter.departmentId,
        messageType: filter.messageType,
        from: filter.from,
        to: filter.to,
        terms: filter.terms,
        before: cursor,
        maxSeq: options.maxSeq,
        limit: Math.min(batch, options.maxCandidates - examined),
      });
      exhausted = candidates.length < Math.min(batch, options.maxCandidates - examined);
      for (const record of candidates) {
        examined++;
        cursor = { occurredAt: record.occurredAt, seq: record.seq };
        const view = await this.reader.read(record);
        if (view && (!keyword || textMatches(this.reader.textOf(view), keyword))) messages.push(view);
        if (messages.length === options.count) {
          exhausted = exhausted && record === candidates[candidates.length - 1];
          break;
        }
      }
    }
    return { messages, cursor: exhausted ? undefined : cursor };
  }
}
