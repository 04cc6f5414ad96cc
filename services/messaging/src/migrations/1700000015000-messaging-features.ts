import { MigrationInterface, QueryRunner } from 'typeorm';

/** Burn after reading, forwarding, retention tombstones, screenshot notices and department groups. */
export class MessagingFeatures1700000015000 implements MigrationInterface {
  name = 'MessagingFeatures1700000015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN burn_after_reading BOOLEAN NOT NULL DEFAULT false,
        -- Set by the TTL purge: the content is gone for everyone.
        ADD COLUMN burnt_at           TIMESTAMPTZ,
        -- Set by the retention sweep: the row stays as a tombstone so sequences have no gaps.
        ADD COLUMN expired_at         TIMESTAMPTZ,
        ADD COLUMN forwarded_from     JSONB`);
    // Both jobs walk one corp's candidates oldest first in small batches.
    await q.query(`CREATE INDEX messages_burn_pending ON messages (corp_id, sent_at) WHERE burn_after_reading AND burnt_at IS NULL`);
    await q.query(`CREATE INDEX messages_unexpired ON messages (corp_id, sent_at) WHERE expired_at IS NULL`);
    await q.query(`
      ALTER TABLE corp_policies
        ADD COLUMN file_forwarding        TEXT NOT NULL DEFAULT 'any' CHECK (file_forwarding IN ('any', 'internal_only', 'same_department')),
        ADD COLUMN message_retention_days INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN burn_ttl_seconds       INTEGER NOT NULL DEFAULT 86400,
        ADD COLUMN archive_notice         TEXT NOT NULL DEFAULT 'This chat is archived by your company.'`);
    await q.query(`
      ALTER TABLE conversations
        ADD COLUMN department_id      INTEGER,
        ADD COLUMN department_subtree BOOLEAN NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX conversations_department ON conversations (corp_id, department_id) WHERE department_id IS NOT NULL`);
    // The last screenshot notice of a member in a conversation: the rate limit, checked under the conversation lock.
    await q.query(`
      CREATE TABLE screenshot_notices (
        corp_id         TEXT NOT NULL,
        conversation_id UUID NOT NULL,
        userid          TEXT NOT NULL,
        last_at         TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (corp_id, conversation_id, userid)
      )`);
    // Department groups whose members must be recomputed from the directory; `requested_at`
    // changes on every request, so a sync only clears the request it actually served.
    await q.query(`
      CREATE TABLE department_group_resyncs (
        corp_id         TEXT NOT NULL,
        conversation_id UUID NOT NULL,
        requested_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (corp_id, conversation_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE department_group_resyncs`);
    await q.query(`DROP TABLE screenshot_notices`);
    await q.query(`DROP INDEX conversations_department`);
    await q.query(`ALTER TABLE conversations DROP COLUMN department_id, DROP COLUMN department_subtree`);
    await q.query(
      `ALTER TABLE corp_policies DROP COLUMN file_forwarding, DROP COLUMN message_retention_days, DROP COLUMN burn_ttl_seconds, DROP COLUMN archive_notice`,
    );
    await q.query(`DROP INDEX messages_unexpired`);
    await q.query(`DROP INDEX messages_burn_pending`);
    await q.query(
      `ALTER TABLE messages DROP COLUMN burn_after_reading, DROP COLUMN burnt_at, DROP COLUMN expired_at, DROP COLUMN forwarded_from`,
    );
  }
}
