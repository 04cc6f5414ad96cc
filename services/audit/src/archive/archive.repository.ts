import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { Queryable } from '../queryable';
import { ArchivedRecord } from './archive-record';

export interface ChainHead {
  seq: number;
  hash: Buffer;
}

export interface IndexRow {
  corpId: string;
  seq: number;
  occurredAt: Date;
  terms: string[];
}

interface RecordRow {
  corp_id: string;
  seq: string;
  event_id: string;
  kind: string;
  event_type: string;
  occurred_at: Date;
  conversation_id: string;
  actor: string;
  message_type: string;
  data_key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  prev_hash: Buffer;
  hash: Buffer;
}

export const RECORD_COLUMNS = `r.corp_id, r.seq::text AS seq, r.event_id, r.kind, r.event_type, r.occurred_at, r.conversation_id,
  r.actor, r.message_type, r.data_key_id::text AS data_key_id, r.nonce, r.ciphertext, r.prev_hash, r.hash`;

export function toRecord(r: RecordRow): ArchivedRecord {
  return {
    corpId: r.corp_id,
    seq: Number(r.seq),
    eventId: r.event_id,
    kind: r.kind,
    eventType: r.event_type,
    occurredAt: r.occurred_at,
    conversationId: r.conversation_id,
    actor: r.actor,
    messageType: r.message_type,
    dataKeyId: r.data_key_id,
    nonce: r.nonce,
    ciphertext: r.ciphertext,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export type { RecordRow };

/** The append-only archive: records are only ever inserted, in chain order, under the head lock. */
@Injectable()
export class ArchiveRepository {
  /**
   * Locks the chain heads of the corps (sorted, so that two batches never deadlock) for the rest
   * of the transaction: one writer at a time extends a corp's chain.
   */
  async lockHeads(tx: Tx, corpIds: string[]): Promise<Map<string, ChainHead>> {
    const sorted = [...new Set(corpIds)].sort();
    await tx.query(`INSERT INTO audit_chain_heads (corp_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING`, [sorted]);
    const rows = await tx.query<{ corp_id: string; seq: string; hash: Buffer }[]>(
      `SELECT corp_id, seq::text AS seq, hash FROM audit_chain_heads WHERE corp_id = ANY($1::text[]) ORDER BY corp_id FOR UPDATE`,
      [sorted],
    );
    return new Map(rows.map((r) => [r.corp_id, { seq: Number(r.seq), hash: r.hash }]));
  }

  async head(db: Queryable, corpId: string): Promise<ChainHead> {
    const rows = await db.query<{ seq: string; hash: Buffer }[]>(
      `SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE corp_id = $1`,
      [corpId],
    );
    return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: 0, hash: Buffer.alloc(32) };
  }

  async existingEventIds(tx: Tx, eventIds: string[]): Promise<Set<string>> {
    const rows = await tx.query<{ event_id: string }[]>(`SELECT event_id FROM audit_records WHERE event_id = ANY($1::uuid[])`, [eventIds]);
    return new Set(rows.map((r) => r.event_id));
  }

  async insertRecords(tx: Tx, records: ArchivedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const column = <T>(pick: (r: ArchivedRecord) => T) => records.map(pick);
    await tx.query(
      `INSERT INTO audit_records (corp_id, seq, event_id, kind, event_type, occurred_at, conversation_id, actor, message_type,
                                  data_key_id, nonce, ciphertext, prev_hash, hash)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[],
                            $9::text[], $10::bigint[], $11::bytea[], $12::bytea[], $13::bytea[], $14::bytea[])`,
      [
        column((r) => r.corpId),
        column((r) => r.seq),
        column((r) => r.eventId),
        column((r) => r.kind),
        column((r) => r.eventType),
        column((r) => r.occurredAt),
        column((r) => r.conversationId),
        column((r) => r.actor),
        column((r) => r.messageType),
        column((r) => r.dataKeyId),
        column((r) => r.nonce),
        column((r) => r.ciphertext),
        column((r) => r.prevHash),
        column((r) => r.hash),
      ],
    );
  }

  async insertIndex(tx: Tx, rows: IndexRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO audit_search_index (corp_id, seq, occurred_at, terms)
       SELECT c, s, o, t::bigint[] FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[]) AS u(c, s, o, t)`,
      [rows.map((r) => r.corpId), rows.map((r) => r.seq), rows.map((r) => r.occurredAt), rows.map((r) => `{${r.terms.join(',')}}`)],
    );
  }

  async updateHeads(tx: Tx, heads: Map<string, ChainHead>): Promise<void> {
    const corps = [...heads.keys()];
    await tx.query(
      `UPDATE audit_chain_heads h SET seq = u.seq, hash = u.hash
         FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS u(corp_id, seq, hash) WHERE h.corp_id = u.corp_id`,
      [corps, corps.map((c) => heads.get(c)!.seq), corps.map((c) => heads.get(c)!.hash)],
    );
  }

  async addConversationMembers(tx: Tx, corpId: string, conversationId: string, members: string[]): Promise<void> {
    if (members.length === 0) return;
    await tx.query(
      `INSERT INTO audit_conversation_members (corp_id, userid, conversation_id) SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING`,
      [corpId, members, conversationId],
    );
  }

  /** Records of a corp in chain order, `limit` at a time after `afterSeq`. */
  async page(db: Queryable, corpId: string, afterSeq: number, limit: number): Promise<ArchivedRecord[]> {
    const rows = await db.query<RecordRow[]>(
      `SELECT ${RECORD_COLUMNS} FROM audit_records r WHERE r.corp_id = $1 AND r.seq > $2 ORDER BY r.seq LIMIT $3`,
      [corpId, afterSeq, limit],
    );
    return rows.map(toRecord);
  }

  async hashesBetween(tx: Tx, corpId: string, fromSeq: number, toSeq: number): Promise<Buffer[]> {
    const rows = await tx.query<{ hash: Buffer }[]>(
      `SELECT hash FROM audit_records WHERE corp_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
      [corpId, fromSeq, toSeq],
    );
    return rows.map((r) => r.hash);
  }

  async corpsWithRecords(db: Queryable): Promise<string[]> {
    const rows = await db.query<{ corp_id: string }[]>(`SELECT corp_id FROM audit_chain_heads WHERE seq > 0 ORDER BY corp_id`);
    return rows.map((r) => r.corp_id);
  }

  /** Index rows of records whose keys were shredded: derived data, deleted with them. */
  async deleteIndexBefore(tx: Tx, corpId: string, before: Date): Promise<void> {
    await tx.query(`DELETE FROM audit_search_index WHERE corp_id = $1 AND occurred_at < $2`, [corpId, before]);
  }
}
