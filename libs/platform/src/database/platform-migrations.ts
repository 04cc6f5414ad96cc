import { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox and the consumer inbox that every service carries. */
export class PlatformOutboxInbox1700000000000 implements MigrationInterface {
  name = 'PlatformOutboxInbox1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platform_outbox (
        seq          BIGSERIAL PRIMARY KEY,
        event_id     UUID NOT NULL UNIQUE,
        topic        TEXT NOT NULL,
        event_key    TEXT NOT NULL,
        event_type   TEXT NOT NULL,
        envelope     JSONB NOT NULL,
        headers      JSONB NOT NULL DEFAULT '{}'::jsonb,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        published_at TIMESTAMPTZ
      )`);
    // The relay only ever scans what is not yet published.
    await q.query(`CREATE INDEX platform_outbox_pending ON platform_outbox (seq) WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE platform_inbox (
        consumer_group TEXT NOT NULL,
        event_id       UUID NOT NULL,
        topic          TEXT NOT NULL,
        processed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE platform_inbox`);
    await q.query(`DROP TABLE platform_outbox`);
  }
}

export const PLATFORM_MIGRATIONS = [PlatformOutboxInbox1700000000000];
