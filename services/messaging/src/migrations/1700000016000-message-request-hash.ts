import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each send asked for, as a hash: a resend with the same client message id must ask for the
 * same message, or it is refused (as a payment API refuses a reused idempotency key).
 */
export class MessageRequestHash1700000016000 implements MigrationInterface {
  name = 'MessageRequestHash1700000016000';

  async up(q: QueryRunner): Promise<void> {
    // NULL for messages stored before it, and for those no client sent (forwards, notices): any resend matches them.
    await q.query(`ALTER TABLE messages ADD COLUMN request_hash TEXT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN request_hash`);
  }
}
