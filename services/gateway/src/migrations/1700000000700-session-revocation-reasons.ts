import { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionRevocationReasons1700000000700 implements MigrationInterface {
  name = 'SessionRevocationReasons1700000000700';

  async up(q: QueryRunner): Promise<void> {
    // The refresh-token family is the durable record of a session's revocation (Redis only caches
    // it); the reason tells a logout or a replayed token from a member the directory cut off.
    await q.query(`ALTER TABLE refresh_tokens ADD COLUMN revoked_reason TEXT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_tokens DROP COLUMN revoked_reason`);
  }
}
