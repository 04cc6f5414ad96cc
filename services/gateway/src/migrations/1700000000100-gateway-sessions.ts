import { MigrationInterface, QueryRunner } from 'typeorm';

export class GatewaySessions1700000000100 implements MigrationInterface {
  name = 'GatewaySessions1700000000100';

  async up(q: QueryRunner): Promise<void> {
    // A family is one login session; each refresh rotates to a new row of the same family, and a
    // replayed rotated row revokes the whole family (the stolen-token signal).
    await q.query(`
      CREATE TABLE refresh_tokens (
        id          UUID PRIMARY KEY,
        family_id   UUID NOT NULL,
        corp_id     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        roles       TEXT[] NOT NULL,
        secret_hash TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('active', 'rotated', 'revoked')),
        expires_at  TIMESTAMPTZ NOT NULL,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        rotated_at  TIMESTAMPTZ
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_user ON refresh_tokens (corp_id, user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refresh_tokens`);
  }
}
