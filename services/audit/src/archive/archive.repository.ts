import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Queryable } from '../queryable';
import { ArchivedRecord } from './archive-record';
import { BinaryCopyWriter, isCanonicalUuid } from './copy-binary';

export interface ChainHead {
  seq: number;
  hash: Buffer;
}

export interface IndexRow {
  corpId: string;
  seq: number;
  occurredAt: Date;
  /** Keyed terms, 8 bytes each (a signed big-endian bigint). */
  terms: Buffer[];
}

/** Below this many rows a multi-row INSERT is as quick as COPY, and keeps that path exercised. */
const COPY_MIN_ROWS = 16;
/** Whether the server behind a pg client takes COPY FROM STDIN (per connection, asked once). */
const copySupport = new WeakMap<object, boolean>();

/**
 * The transaction's own pg client, for COPY — or undefined where COPY is not available: outside a
 * transaction, and on PGlite (embedded mode), whose single-user backend has no COPY FROM STDIN
 * over the wire protocol (it drops the connection).
 */
async function copyClientOf(tx: Tx): Promise<PoolClient | undefined> {
  const runner = tx.queryRunner;
  if (!runner || !runner.isTransactionActive || runner.connection.options.type !== 'postgres') return undefined;
  const client = (await runner.connect()) as PoolClient;
  let supported = copySupport.get(client);
  if (supported === undefined) {
    const rows = await tx.query<{ version: string }[]>(`SELECT version() AS version`);
    supported = !/PGlite/i.test(rows[0]?.version ?? '');
    copySupport.set(client, supported);
  }
  return supported ? client : undefined;
}

async function copyInto(client: PoolClient, statement: string, payload: Buffer, rows: number): Promise<void> {
  const stream = client.query(copyFrom(statement));
  await pipeline(Readable.from([payload]), stream);
  if (stream.rowCount !== rows) throw new Error(`${statement}: ${stream.rowCount} rows copied, ${rows} expected`);
}

const termText = (term: Buffer) => term.readBigInt64BE(0).toString();

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

  /**
   * One binary COPY (a multi-row INSERT for a few rows, or where COPY is not available). The
   * records' unique event id still refuses a duplicate: the caller has already left out the ids
   * that exist.
   */
  async insertRecords(tx: Tx, records: ArchivedRecord[]): Promise<void> {
    if (records.length === 0) return;
    // COPY writes the uuid's 16 bytes: an id in another spelling PostgreSQL accepts goes through its parser.
    const client = records.length >= COPY_MIN_ROWS && records.every((r) => isCanonicalUuid(r.eventId)) ? await copyClientOf(tx) : undefined;
    if (client) {
      const copy = new BinaryCopyWriter(records.reduce((size, r) => size + 200 + r.ciphertext.length, 0));
      for (const r of records) {
        copy
          .row(14)
          .text(r.corpId)
          .int8(r.seq)
          .uuid(r.eventId)
          .text(r.kind)
          .text(r.eventType)
          .timestamptz(r.occurredAt)
          .text(r.conversationId)
          .text(r.actor)
          .text(r.messageType)
          .int8(r.dataKeyId)
          .bytea(r.nonce)
          .bytea(r.ciphertext)
          .bytea(r.prevHash)
          .bytea(r.hash);
      }
      await copyInto(
        client,
        `COPY audit_records (corp_id, seq, event_id, kind, event_type, occurred_at, conversation_id, actor, message_type,
                             data_key_id, nonce, ciphertext, prev_hash, hash) FROM STDIN (FORMAT binary)`,
        copy.finish(),
        records.length,
      );
      return;
    }
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
    const client = rows.length >= COPY_MIN_ROWS ? await copyClientOf(tx) : undefined;
    if (client) {
      const copy = new BinaryCopyWriter(rows.reduce((size, r) => size + 64 + 12 * r.terms.length, 0));
      for (const r of rows) copy.row(4).text(r.corpId).int8(r.seq).timestamptz(r.occurredAt).int8Array(r.terms);
      await copyInto(
        client,
        `COPY audit_search_index (corp_id, seq, occurred_at, terms) FROM STDIN (FORMAT binary)`,
        copy.finish(),
        rows.length,
      );
      return;
    }
    await tx.query(
      `INSERT INTO audit_search_index (corp_id, seq, occurred_at, terms)
       SELECT c, s, o, t::bigint[] FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[]) AS u(c, s, o, t)`,
      [
        rows.map((r) => r.corpId),
        rows.map((r) => r.seq),
        rows.map((r) => r.occurredAt),
        rows.map((r) => `{${r.terms.map(termText).join(',')}}`),
      ],
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
  async deleteIndexOfKeys(tx: Tx, corpId: string, dataKeyIds: string[]): Promise<void> {
    if (dataKeyIds.length === 0) return;
    await tx.query(
      `DELETE FROM audit_search_index i USING audit_records r
        WHERE i.corp_id = $1 AND r.corp_id = $1 AND r.seq = i.seq AND r.data_key_id = ANY($2::bigint[])`,
      [corpId, dataKeyIds],
    );
  }
}
