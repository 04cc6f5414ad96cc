import { MigrationInterface, QueryRunner } from 'typeorm';

/** The media registry (the bytes live in the gateway's blob store), what refers to it, and per-corp upload limits. */
export class Media1700000012000 implements MigrationInterface {
  name = 'Media1700000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE media (
        corp_id      TEXT NOT NULL,
        media_id     TEXT NOT NULL,
        type         TEXT NOT NULL CHECK (type IN ('image', 'voice', 'video', 'file')),
        content_type TEXT NOT NULL,
        size         BIGINT NOT NULL CHECK (size >= 0),
        sha256       TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        name         TEXT NOT NULL DEFAULT '',
        -- A userid, or app:<agentid>.
        uploaded_by  TEXT NOT NULL,
        storage_key  TEXT NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, media_id)
      )`);
    // A message that names media lets its conversation's members read it. The message row is
    // inserted after its references in the same transaction, hence the deferred check.
    await q.query(`
      CREATE TABLE media_references (
        corp_id         TEXT NOT NULL,
        media_id        TEXT NOT NULL,
        conversation_id UUID NOT NULL,
        seq             BIGINT NOT NULL,
        PRIMARY KEY (corp_id, media_id, conversation_id, seq),
        FOREIGN KEY (corp_id, media_id) REFERENCES media (corp_id, media_id),
        FOREIGN KEY (corp_id, conversation_id, seq) REFERENCES messages (corp_id, conversation_id, seq)
          ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
      )`);
    // NULL: the platform's defaults (they may change with a release; a corp that set its own keeps them).
    await q.query(`ALTER TABLE corp_policies ADD COLUMN media_limits JSONB`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE corp_policies DROP COLUMN media_limits`);
    await q.query(`DROP TABLE media_references`);
    await q.query(`DROP TABLE media`);
  }
}
