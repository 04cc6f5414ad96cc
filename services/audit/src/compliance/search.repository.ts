import { Injectable } from '@nestjs/common';
import { Queryable } from '../queryable';
import { ArchivedRecord } from '../archive/archive-record';
import { RECORD_COLUMNS, RecordRow, toRecord } from '../archive/archive.repository';
import { heldRecordSql } from '../holds/held-records';
import { ReadScope } from './read-scope';

export interface SearchCursor {
  occurredAt: Date;
  seq: number;
}

export interface CandidateQuery {
  scope: ReadScope;
  conversationId?: string;
  /** Any of them: the sender, or ever a member of the conversation. */
  participants?: string[];
  /** A participant was in this department's subtree when the record was archived. */
  departmentId?: number;
  messageType?: string;
  from?: Date;
  to?: Date;
  /** Keyed index terms that must all be present (a keyword search). */
  terms?: string[];
  before?: SearchCursor;
  /** Only records up to this chain position (an export's snapshot). */
  maxSeq?: number;
  limit: number;
}

type Param = (value: unknown) => string;

/**
 * The conditions every read of messages carries: a scoped officer sees records with a participant
 * in their departments; past retention, only held records (`r` is audit_records; $1 the corp).
 */
function scopeConditions(scope: ReadScope, p: Param, departmentId?: number): string[] {
  const where: string[] = [];
  const departments: string[] = [];
  if (scope.departmentIds) departments.push(`d.department_ids && ${p(scope.departmentIds)}::bigint[]`);
  if (departmentId) departments.push(`d.department_ids @> ARRAY[${p(departmentId)}::bigint]`);
  if (departments.length > 0) {
    where.push(`EXISTS (SELECT 1 FROM audit_record_departments d WHERE d.corp_id = $1 AND d.seq = r.seq AND ${departments.join(' AND ')})`);
  }
  if (scope.retainedFrom) where.push(`(r.occurred_at >= ${p(scope.retainedFrom)} OR ${heldRecordSql('r')})`);
  return where;
}

function parameters(corpId: string): { params: unknown[]; p: Param } {
  const params: unknown[] = [corpId];
  return {
    params,
    p: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}

/** Candidate messages, newest first: every filter but the keyword is exact; keyword hits are confirmed after decryption. */
@Injectable()
export class SearchRepository {
  async candidates(db: Queryable, q: CandidateQuery): Promise<ArchivedRecord[]> {
    const { params, p } = parameters(q.scope.corpId);
    const keyed = q.terms !== undefined && q.terms.length > 0;
    // The time filter and the cursor apply to the index rows when searching by keyword, so that
    // PostgreSQL can combine the term index with the time order.
    const t = keyed ? 'i' : 'r';
    const where = [`r.corp_id = $1`, `r.kind = 'message'`];
    if (keyed) where.push(`i.corp_id = $1`, `i.terms @> ${p(q.terms)}::bigint[]`);
    if (q.conversationId) where.push(`r.conversation_id = ${p(q.conversationId)}`);
    if (q.messageType) where.push(`r.message_type = ${p(q.messageType)}`);
    if (q.participants && q.participants.length > 0) {
      const who = p(q.participants);
      where.push(
        `(r.actor = ANY(${who}::text[]) OR r.conversation_id IN (SELECT conversation_id FROM audit_conversation_members WHERE corp_id = $1 AND userid = ANY(${who}::text[])))`,
      );
    }
    if (q.from) where.push(`${t}.occurred_at >= ${p(q.from)}`);
    if (q.to) where.push(`${t}.occurred_at < ${p(q.to)}`);
    if (q.before) where.push(`(${t}.occurred_at, ${t}.seq) < (${p(q.before.occurredAt)}, ${p(q.before.seq)})`);
    if (q.maxSeq !== undefined) where.push(`r.seq <= ${p(q.maxSeq)}`);
    where.push(...scopeConditions(q.scope, p, q.departmentId));
    const from = keyed ? `audit_search_index i JOIN audit_records r ON r.corp_id = i.corp_id AND r.seq = i.seq` : `audit_records r`;
    const rows = await db.query<RecordRow[]>(
      `SELECT ${RECORD_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')}
        ORDER BY ${t}.occurred_at DESC, ${t}.seq DESC LIMIT ${p(q.limit)}`,
      params,
    );
    return rows.map(toRecord);
  }

  /** A message by its record (event) id, if the scope may see it. */
  async messageById(db: Queryable, scope: ReadScope, eventId: string): Promise<ArchivedRecord | undefined> {
    const { params, p } = parameters(scope.corpId);
    const where = [`r.corp_id = $1`, `r.kind = 'message'`, `r.event_id = ${p(eventId)}::uuid`, ...scopeConditions(scope, p)];
    const rows = await db.query<RecordRow[]>(`SELECT ${RECORD_COLUMNS} FROM audit_records r WHERE ${where.join(' AND ')}`, params);
    return rows[0] && toRecord(rows[0]);
  }

  /** The conversation's messages right before (newest first) or right after (oldest first) a position. */
  async neighbours(
    db: Queryable,
    scope: ReadScope,
    conversationId: string,
    at: SearchCursor,
    direction: 'before' | 'after',
    limit: number,
  ): Promise<ArchivedRecord[]> {
    const { params, p } = parameters(scope.corpId);
    const [op, order] = direction === 'before' ? ['<', 'DESC'] : ['>', 'ASC'];
    const where = [
      `r.corp_id = $1`,
      `r.kind = 'message'`,
      `r.conversation_id = ${p(conversationId)}`,
      `(r.occurred_at, r.seq) ${op} (${p(at.occurredAt)}, ${p(at.seq)})`,
      ...scopeConditions(scope, p),
    ];
    const rows = await db.query<RecordRow[]>(
      `SELECT ${RECORD_COLUMNS} FROM audit_records r WHERE ${where.join(' AND ')}
        ORDER BY r.occurred_at ${order}, r.seq ${order} LIMIT ${p(limit)}`,
      params,
    );
    return rows.map(toRecord);
  }

  /** Messages in chain order after `afterSeq` (the pull API). */
  async messagesAfter(db: Queryable, scope: ReadScope, afterSeq: number, limit: number): Promise<ArchivedRecord[]> {
    const { params, p } = parameters(scope.corpId);
    const where = [`r.corp_id = $1`, `r.kind = 'message'`, `r.seq > ${p(afterSeq)}`, ...scopeConditions(scope, p)];
    const rows = await db.query<RecordRow[]>(
      `SELECT ${RECORD_COLUMNS} FROM audit_records r WHERE ${where.join(' AND ')} ORDER BY r.seq LIMIT ${p(limit)}`,
      params,
    );
    return rows.map(toRecord);
  }
}
