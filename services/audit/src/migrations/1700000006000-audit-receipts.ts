import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ingest journal: one row per domain event received, whatever is replayed. The encrypted,
 * hash-chained archive builds on it (its own issue); this table holds no message content.
 */
export class AuditReceipts1700000006000 implements MigrationInterface {
  name = 'AuditReceipts1700000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_receipts (
        event_id    UUID PRIMARY KEY,
        corp_id     TEXT NOT NULL,
        event_type  TEXT NOT NULL,
        topic       TEXT NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX event_receipts_corp_time ON event_receipts (corp_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_receipts`);
  }
}
