import { Injectable } from '@nestjs/common';
import { Queryable } from '../queryable';
import { ArchivedRecord } from '../archive/archive-record';
import { RECORD_COLUMNS, RecordRow, toRecord } from '../archive/archive.repository';

export interface SearchCursor {
  occurredAt: Date;
  seq: number;
}

export interface CandidateQuery {
  corpId: string;
  conversationId?: string;
  participant?: string;
  messageType?: string;
  from?: Date;
  to?: Date;
  /** Keyed index terms that must all be present (a keyword search). */
  terms?: string[];
  before?: SearchCursor;
  limit: number;
}

/** Candidate messages, newest first: every filter but the keyword is exact; keyword hits are confirmed after decryption. */
@Injectable()
export class SearchRepository {
  async candidates(db: Queryable, q: CandidateQuery): Promise<ArchivedRecord[]> {
    const params: unknown[] = [q.corpId];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const keyed = q.terms !== undefined && q.terms.length > 0;
    // The time filter and the cursor apply to the index rows when searching by keyword, so that
    // PostgreSQL can combine the term index with the time order.
    const t = keyed ? 'i' : 'r';
    const where = [`r.corp_id = $1`, `r.kind = 'message'`];
    if (keyed) where.push(`i.corp_id = $1`, `i.terms @> ${p(q.terms)}::bigint[]`);
    if (q.conversationId) where.push(`r.conversation_id = ${p(q.conversationId)}`);
    if (q.messageType) where.push(`r.message_type = ${p(q.messageType)}`);
    if (q.participant) {
      const who = p(q.participant);
      where.push(
        `(r.actor = ${who} OR r.conversation_id IN (SELECT conversation_id FROM audit_conversation_members WHERE corp_id = $1 AND userid = ${who}))`,
      );
    }
    if (q.from) where.push(`${t}.occurred_at >= ${p(q.from)}`);
    if (q.to) where.push(`${t}.occurred_at < ${p(q.to)}`);
    if (q.before) where.push(`(${t}.occurred_at, ${t}.seq) < (${p(q.before.occurredAt)}, ${p(q.before.seq)})`);
    const from = keyed ? `audit_search_index i JOIN audit_records r ON r.corp_id = i.corp_id AND r.seq = i.seq` : `audit_records r`;
    const rows = await db.query<RecordRow[]>(
      `SELECT ${RECORD_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')}
        ORDER BY ${t}.occurred_at DESC, ${t}.seq DESC LIMIT ${p(q.limit)}`,
      params,
    );
    return rows.map(toRecord);
  }
}
