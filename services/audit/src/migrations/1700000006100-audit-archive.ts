import { MigrationInterface, QueryRunner } from 'typeorm';

const APPEND_ONLY = ['audit_records', 'audit_checkpoints'];

/**
 * The archive proper. `audit_records` and `audit_checkpoints` are append-only: a trigger refuses
 * UPDATE, DELETE and TRUNCATE for every role (superusers included, unless they disable it), and
 * the service's own role loses those privileges. Retention never deletes a record: it destroys
 * the record's data key (crypto-shredding), so the hash chain still verifies.
 */
export class AuditArchive1700000006100 implements MigrationInterface {
  name = 'AuditArchive1700000006100';

  async up(q: QueryRunner): Promise<void> {
    // The ingest journal held no content; the archive below records every event it listed.
    await q.query(`DROP TABLE IF EXISTS event_receipts`);
    await q.query(`
      CREATE TABLE audit_corp_settings (
        corp_id           TEXT PRIMARY KEY,
        archiving_enabled BOOLEAN NOT NULL DEFAULT true,
        retention_days    INT NOT NULL DEFAULT 0 CHECK (retention_days >= 0),
        updated_by        TEXT NOT NULL,
        updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE audit_kek_versions (
        corp_id    TEXT NOT NULL,
        version    INT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, version)
      )`);
    await q.query(`
      CREATE TABLE audit_key_check (
        id          BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
        fingerprint TEXT NOT NULL
      )`);
    // Record keys: one per corp and UTC day of the records, so retention shreds day by day.
    // The index key (purpose 'index') is the corp's blind-index HMAC key.
    await q.query(`
      CREATE TABLE audit_data_keys (
        id           BIGSERIAL PRIMARY KEY,
        corp_id      TEXT NOT NULL,
        purpose      TEXT NOT NULL CHECK (purpose IN ('record', 'index')),
        bucket       DATE NOT NULL,
        kek_version  INT NOT NULL,
        wrapped_key  BYTEA,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        destroyed_at TIMESTAMPTZ,
        UNIQUE (corp_id, purpose, bucket),
        CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE audit_chain_heads (
        corp_id TEXT PRIMARY KEY,
        seq     BIGINT NOT NULL DEFAULT 0,
        hash    BYTEA NOT NULL DEFAULT '\\x0000000000000000000000000000000000000000000000000000000000000000'
      )`);
    await q.query(`
      CREATE TABLE audit_records (
        corp_id         TEXT NOT NULL,
        seq             BIGINT NOT NULL,
        event_id        UUID NOT NULL,
        kind            TEXT NOT NULL,
        event_type      TEXT NOT NULL,
        occurred_at     TIMESTAMPTZ NOT NULL,
        conversation_id TEXT NOT NULL DEFAULT '',
        actor           TEXT NOT NULL DEFAULT '',
        message_type    TEXT NOT NULL DEFAULT '',
        data_key_id     BIGINT NOT NULL REFERENCES audit_data_keys (id),
        nonce           BYTEA NOT NULL,
        ciphertext      BYTEA NOT NULL,
        prev_hash       BYTEA NOT NULL,
        hash            BYTEA NOT NULL,
        archived_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, seq),
        UNIQUE (event_id)
      )`);
    await q.query(`CREATE INDEX audit_records_time ON audit_records (corp_id, kind, occurred_at DESC, seq DESC)`);
    await q.query(`CREATE INDEX audit_records_conversation ON audit_records (corp_id, conversation_id, occurred_at DESC, seq DESC)`);
    await q.query(`CREATE INDEX audit_records_actor ON audit_records (corp_id, actor, occurred_at DESC)`);
    // The keyed blind index: HMAC-SHA256 of each term under the corp's index key, first 8 bytes.
    // Derived data, outside the chain, deleted with the records' keys at retention.
    await q.query(`
      CREATE TABLE audit_search_index (
        corp_id     TEXT NOT NULL,
        seq         BIGINT NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        terms       BIGINT[] NOT NULL,
        PRIMARY KEY (corp_id, seq)
      )`);
    await q.query(
      `CREATE INDEX audit_search_terms ON audit_search_index USING gin (terms) WITH (fastupdate = on, gin_pending_list_limit = 16384)`,
    );
    await q.query(`CREATE INDEX audit_search_time ON audit_search_index (corp_id, occurred_at DESC, seq DESC)`);
    await q.query(`
      CREATE TABLE audit_checkpoints (
        corp_id     TEXT NOT NULL,
        from_seq    BIGINT NOT NULL,
        to_seq      BIGINT NOT NULL,
        merkle_root BYTEA NOT NULL,
        head_hash   BYTEA NOT NULL,
        created_at  TIMESTAMPTZ NOT NULL,
        signature   BYTEA NOT NULL,
        signer      TEXT NOT NULL,
        PRIMARY KEY (corp_id, from_seq),
        CHECK (to_seq >= from_seq)
      )`);
    await q.query(`
      CREATE TABLE audit_officer_grants (
        corp_id        TEXT NOT NULL,
        userid         TEXT NOT NULL,
        department_ids BIGINT[] NOT NULL DEFAULT '{}',
        granted_by     TEXT NOT NULL,
        granted_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, userid)
      )`);
    // Who was ever a member of a conversation (search by participant); fed by messaging events.
    await q.query(`
      CREATE TABLE audit_conversation_members (
        corp_id         TEXT NOT NULL,
        userid          TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        PRIMARY KEY (corp_id, userid, conversation_id)
      )`);
    await q.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit archive is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of APPEND_ONLY) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
      );
      await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM PUBLIC`);
    }
    // A superuser ignores grants (the trigger still stops it); any other role that runs the
    // migrations owns the tables and gives up its own right to change or delete their rows.
    await q.query(`
      DO $$
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON ${APPEND_ONLY.join(', ')} FROM %I', current_user);
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_conversation_members',
      'audit_officer_grants',
      'audit_checkpoints',
      'audit_search_index',
      'audit_records',
      'audit_chain_heads',
      'audit_data_keys',
      'audit_key_check',
      'audit_kek_versions',
      'audit_corp_settings',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION audit_refuse_change()`);
  }
}
