import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What compliance officers need beyond search: department scopes (projections of the directory and
 * of conversation rosters, and the departments stamped on each record when it was archived), legal
 * holds, exports, and the msgaudit-style pull (public keys, the pull secret and its tokens). None
 * of it is part of the hash chain: `audit_records` stays append-only and unchanged.
 */
export class AuditCompliance1700000006200 implements MigrationInterface {
  name = 'AuditCompliance1700000006200';

  async up(q: QueryRunner): Promise<void> {
    // The department tree as the archive knows it (path: ids from the root, the department last).
    await q.query(`
      CREATE TABLE audit_departments (
        corp_id       TEXT NOT NULL,
        department_id BIGINT NOT NULL,
        path          BIGINT[] NOT NULL,
        PRIMARY KEY (corp_id, department_id)
      )`);
    await q.query(`CREATE INDEX audit_departments_path ON audit_departments USING gin (path)`);
    await q.query(`
      CREATE TABLE audit_member_departments (
        corp_id        TEXT NOT NULL,
        userid         TEXT NOT NULL,
        department_ids BIGINT[] NOT NULL,
        PRIMARY KEY (corp_id, userid)
      )`);
    // Current members of each conversation (audit_conversation_members keeps everyone ever).
    await q.query(`
      CREATE TABLE audit_conversations (
        corp_id         TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        kind            TEXT NOT NULL,
        PRIMARY KEY (corp_id, conversation_id)
      )`);
    await q.query(`
      CREATE TABLE audit_conversation_roster (
        corp_id         TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        userid          TEXT NOT NULL,
        PRIMARY KEY (corp_id, conversation_id, userid)
      )`);
    // Every department (with its ancestors) of a record's participants when it was archived.
    await q.query(`
      CREATE TABLE audit_record_departments (
        corp_id        TEXT NOT NULL,
        seq            BIGINT NOT NULL,
        department_ids BIGINT[] NOT NULL,
        PRIMARY KEY (corp_id, seq)
      )`);
    await q.query(`CREATE INDEX audit_record_departments_ids ON audit_record_departments USING gin (department_ids)`);
    // Retention asks which data keys hold a held record.
    await q.query(`CREATE INDEX audit_records_data_key ON audit_records (corp_id, data_key_id)`);
    await q.query(`
      CREATE TABLE audit_legal_holds (
        id               UUID PRIMARY KEY,
        corp_id          TEXT NOT NULL,
        name             TEXT NOT NULL,
        reason           TEXT NOT NULL DEFAULT '',
        participants     TEXT[] NOT NULL DEFAULT '{}',
        conversation_ids TEXT[] NOT NULL DEFAULT '{}',
        from_time        TIMESTAMPTZ,
        to_time          TIMESTAMPTZ,
        created_by       TEXT NOT NULL,
        created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
        released_by      TEXT,
        released_at      TIMESTAMPTZ,
        CHECK (cardinality(participants) > 0 OR cardinality(conversation_ids) > 0 OR from_time IS NOT NULL OR to_time IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX audit_legal_holds_active ON audit_legal_holds (corp_id) WHERE released_at IS NULL`);
    await q.query(`
      CREATE TABLE audit_exports (
        id           UUID PRIMARY KEY,
        corp_id      TEXT NOT NULL,
        officer      TEXT NOT NULL,
        format       TEXT NOT NULL CHECK (format IN ('jsonl', 'csv')),
        filter       JSONB NOT NULL,
        max_records  INT NOT NULL,
        -- The export covers the chain up to here: records archived later are not in it.
        snapshot_seq BIGINT NOT NULL,
        record_count INT NOT NULL DEFAULT 0,
        token_hash   BYTEA NOT NULL UNIQUE,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        completed_at TIMESTAMPTZ
      )`);
    await q.query(`CREATE INDEX audit_exports_corp ON audit_exports (corp_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE audit_public_keys (
        corp_id        TEXT NOT NULL,
        version        INT NOT NULL,
        public_key_pem TEXT NOT NULL,
        fingerprint    TEXT NOT NULL,
        created_by     TEXT NOT NULL,
        created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, version)
      )`);
    await q.query(`
      CREATE TABLE audit_pull_secrets (
        corp_id     TEXT PRIMARY KEY,
        version     INT NOT NULL,
        secret_hash BYTEA NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE audit_pull_tokens (
        token_hash     BYTEA PRIMARY KEY,
        corp_id        TEXT NOT NULL,
        secret_version INT NOT NULL,
        expires_at     TIMESTAMPTZ NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_pull_tokens_corp ON audit_pull_tokens (corp_id, expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_records_data_key`);
    for (const table of [
      'audit_pull_tokens',
      'audit_pull_secrets',
      'audit_public_keys',
      'audit_exports',
      'audit_legal_holds',
      'audit_record_departments',
      'audit_conversation_roster',
      'audit_conversations',
      'audit_member_departments',
      'audit_departments',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
