import { Injectable } from '@nestjs/common';
import { queryReturning, Tx } from '@atrium/platform';
import { heldRecordSql } from '../holds/held-records';
import { Queryable } from '../queryable';

export type KeyPurpose = 'record' | 'index';

export interface StoredKey {
  id: string;
  corpId: string;
  purpose: KeyPurpose;
  /** YYYY-MM-DD. */
  bucket: string;
  kekVersion: number;
  wrappedKey: Buffer | null;
}

interface KeyRow {
  id: string;
  corp_id: string;
  purpose: KeyPurpose;
  bucket: string;
  kek_version: number;
  wrapped_key: Buffer | null;
}

const COLUMNS = `id::text AS id, corp_id, purpose, to_char(bucket, 'YYYY-MM-DD') AS bucket, kek_version, wrapped_key`;

const toKey = (r: KeyRow): StoredKey => ({
  id: r.id,
  corpId: r.corp_id,
  purpose: r.purpose,
  bucket: r.bucket,
  kekVersion: r.kek_version,
  wrappedKey: r.wrapped_key,
});

@Injectable()
export class KeysRepository {
  async fingerprint(db: Queryable): Promise<string | undefined> {
    const rows = await db.query<{ fingerprint: string }[]>(`SELECT fingerprint FROM audit_key_check`);
    return rows[0]?.fingerprint;
  }

  async recordFingerprint(db: Queryable, fingerprint: string): Promise<void> {
    await db.query(`INSERT INTO audit_key_check (fingerprint) VALUES ($1) ON CONFLICT DO NOTHING`, [fingerprint]);
  }

  /** The corp's current KEK version; 1 is created on first use. */
  async currentKekVersion(db: Queryable, corpId: string): Promise<number> {
    await db.query(`INSERT INTO audit_kek_versions (corp_id, version) VALUES ($1, 1) ON CONFLICT DO NOTHING`, [corpId]);
    const [row] = await db.query<{ version: number }[]>(`SELECT max(version)::int AS version FROM audit_kek_versions WHERE corp_id = $1`, [
      corpId,
    ]);
    return row.version;
  }

  /** Serialises rotations of one corp: the caller holds this lock for its transaction. */
  async addKekVersion(tx: Tx, corpId: string): Promise<number> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audit-kek:' || $1))`, [corpId]);
    const current = await this.currentKekVersion(tx, corpId);
    await tx.query(`INSERT INTO audit_kek_versions (corp_id, version) VALUES ($1, $2)`, [corpId, current + 1]);
    return current + 1;
  }

  /** Insert-if-absent: concurrent creators of the same key agree on the one stored first. */
  async insertIfAbsent(db: Queryable, key: Omit<StoredKey, 'id'>): Promise<StoredKey> {
    await db.query(
      `INSERT INTO audit_data_keys (corp_id, purpose, bucket, kek_version, wrapped_key) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (corp_id, purpose, bucket) DO NOTHING`,
      [key.corpId, key.purpose, key.bucket, key.kekVersion, key.wrappedKey],
    );
    const found = await this.find(db, key.corpId, key.purpose, key.bucket);
    if (!found) throw new Error('data key vanished after insert');
    return found;
  }

  async find(db: Queryable, corpId: string, purpose: KeyPurpose, bucket: string): Promise<StoredKey | undefined> {
    const rows = await db.query<KeyRow[]>(`SELECT ${COLUMNS} FROM audit_data_keys WHERE corp_id = $1 AND purpose = $2 AND bucket = $3`, [
      corpId,
      purpose,
      bucket,
    ]);
    return rows[0] && toKey(rows[0]);
  }

  async byId(db: Queryable, corpId: string, id: string): Promise<StoredKey | undefined> {
    const rows = await db.query<KeyRow[]>(`SELECT ${COLUMNS} FROM audit_data_keys WHERE corp_id = $1 AND id = $2`, [corpId, id]);
    return rows[0] && toKey(rows[0]);
  }

  async liveKeysForUpdate(tx: Tx, corpId: string): Promise<StoredKey[]> {
    const rows = await tx.query<KeyRow[]>(
      `SELECT ${COLUMNS} FROM audit_data_keys WHERE corp_id = $1 AND wrapped_key IS NOT NULL ORDER BY audit_data_keys.id FOR UPDATE`,
      [corpId],
    );
    return rows.map(toKey);
  }

  async rewrap(tx: Tx, id: string, kekVersion: number, wrappedKey: Buffer): Promise<void> {
    await tx.query(`UPDATE audit_data_keys SET kek_version = $2, wrapped_key = $3 WHERE id = $1`, [id, kekVersion, wrappedKey]);
  }

  /**
   * Crypto-shredding: the wrapped key is overwritten; records under it can never be read again.
   * A day key under which any record is covered by an active legal hold is kept (and reported):
   * shredding works per key, so every record of that day stays readable until the hold is released.
   */
  async destroyRecordKeysBefore(tx: Tx, corpId: string, bucket: string): Promise<{ destroyed: string[]; held: string[] }> {
    const expired = `corp_id = $1 AND purpose = 'record' AND bucket < $2 AND wrapped_key IS NOT NULL`;
    const hasHeldRecord = `EXISTS (SELECT 1 FROM audit_records r WHERE r.corp_id = k.corp_id AND r.data_key_id = k.id AND ${heldRecordSql('r')})`;
    const held = await tx.query<{ id: string }[]>(`SELECT k.id::text AS id FROM audit_data_keys k WHERE ${expired} AND ${hasHeldRecord}`, [
      corpId,
      bucket,
    ]);
    const destroyed = await queryReturning<{ id: string }>(
      tx,
      `UPDATE audit_data_keys k SET wrapped_key = NULL, destroyed_at = now()
        WHERE ${expired} AND NOT ${hasHeldRecord} RETURNING id::text AS id`,
      [corpId, bucket],
    );
    return { destroyed: destroyed.map((r) => r.id), held: held.map((r) => r.id) };
  }
}
