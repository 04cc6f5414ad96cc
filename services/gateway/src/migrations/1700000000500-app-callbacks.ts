import { MigrationInterface, QueryRunner } from 'typeorm';

export class AppCallbacks1700000000500 implements MigrationInterface {
  name = 'AppCallbacks1700000000500';

  async up(q: QueryRunner): Promise<void> {
    // An app's event-callback endpoint (WeCom 接收消息服务器配置). Token and EncodingAESKey stay in
    // clear: the gateway signs and encrypts every delivery with them.
    await q.query(`
      CREATE TABLE app_callbacks (
        corp_id          TEXT NOT NULL,
        agentid          INTEGER NOT NULL,
        url              TEXT NOT NULL,
        token            TEXT NOT NULL,
        encoding_aes_key TEXT NOT NULL,
        verified_at      TIMESTAMPTZ NOT NULL,
        updated_by       TEXT NOT NULL,
        PRIMARY KEY (corp_id, agentid),
        FOREIGN KEY (corp_id, agentid) REFERENCES open_api_apps (corp_id, agentid) ON DELETE CASCADE
      )`);
    // The consumer only enqueues here (in its own transaction); a worker on each gateway replica
    // claims due rows (SKIP LOCKED) and tries them, so a slow or failing app delays nobody else
    // and never holds a Kafka partition. One row per event and app: a replayed event adds nothing.
    await q.query(`
      CREATE TABLE callback_deliveries (
        corp_id         TEXT NOT NULL,
        id              UUID NOT NULL,
        agentid         INTEGER NOT NULL,
        event_id        UUID NOT NULL,
        event_type      TEXT NOT NULL,
        -- The event XML before encryption (it is encrypted with the app's key at each try).
        plaintext       TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_status     INTEGER,
        last_error      TEXT,
        created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        delivered_at    TIMESTAMPTZ,
        failed_at       TIMESTAMPTZ,
        PRIMARY KEY (corp_id, id),
        UNIQUE (corp_id, agentid, event_id)
      )`);
    await q.query(`CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX callback_deliveries_recent ON callback_deliveries (corp_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE callback_deliveries`);
    await q.query(`DROP TABLE app_callbacks`);
  }
}
