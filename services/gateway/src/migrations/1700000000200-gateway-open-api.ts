import { MigrationInterface, QueryRunner } from 'typeorm';

export class GatewayOpenApi1700000000200 implements MigrationInterface {
  name = 'GatewayOpenApi1700000000200';

  async up(q: QueryRunner): Promise<void> {
    // The corps the gateway has heard of (CorpCreated events, logins): the WeCom API names a corp by
    // its id or its code, and the directory has no lookup by code.
    await q.query(`
      CREATE TABLE known_corps (
        corp_id    TEXT PRIMARY KEY,
        code       TEXT NOT NULL UNIQUE,
        name       TEXT NOT NULL,
        learned_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    // Secrets are 32 random bytes: a plain SHA-256 is as good as a slow hash against guessing and
    // lets gettoken find the credential by its hash.
    await q.query(`
      CREATE TABLE open_api_apps (
        corp_id           TEXT NOT NULL,
        agentid           INTEGER NOT NULL,
        name              TEXT NOT NULL,
        secret_hash       TEXT NOT NULL,
        created_by        TEXT NOT NULL,
        created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
        secret_rotated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, agentid)
      )`);
    await q.query(`CREATE INDEX open_api_apps_secret ON open_api_apps (corp_id, secret_hash)`);
    await q.query(`
      CREATE TABLE directory_sync_secrets (
        corp_id     TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        rotated_by  TEXT NOT NULL,
        rotated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_sync_secrets`);
    await q.query(`DROP TABLE open_api_apps`);
    await q.query(`DROP TABLE known_corps`);
  }
}
