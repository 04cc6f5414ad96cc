import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessagingFoundation1700000010000 implements MigrationInterface {
  name = 'MessagingFoundation1700000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversations (
        corp_id          TEXT NOT NULL,
        id               UUID NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
        name             TEXT NOT NULL DEFAULT '',
        owner            TEXT NOT NULL,
        notice           TEXT NOT NULL DEFAULT '',
        admin_only       BOOLEAN NOT NULL DEFAULT false,
        who_may_add      TEXT NOT NULL DEFAULT 'all' CHECK (who_may_add IN ('all', 'admins')),
        max_members      INTEGER NOT NULL,
        -- The sequence: the row lock taken to bump it serialises the conversation's writers.
        last_seq         BIGINT NOT NULL DEFAULT 0,
        last_activity_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        -- "a|b" for a direct conversation (sorted userids): one per pair.
        direct_key       TEXT,
        dissolved_at     TIMESTAMPTZ,
        created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX conversations_direct ON conversations (corp_id, direct_key) WHERE direct_key IS NOT NULL`);
    // Read state is a cursor per member, not a row per member per message: marking read is one
    // update and "who has not read m" is one indexed scan, at 2,000 members as at 2.
    await q.query(`
      CREATE TABLE conversation_members (
        corp_id             TEXT NOT NULL,
        conversation_id     UUID NOT NULL,
        userid              TEXT NOT NULL,
        role                TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        joined_seq          BIGINT NOT NULL,
        read_seq            BIGINT NOT NULL,
        muted_until         TIMESTAMPTZ,
        pinned              BOOLEAN NOT NULL DEFAULT false,
        notifications_muted BOOLEAN NOT NULL DEFAULT false,
        joined_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, conversation_id, userid),
        FOREIGN KEY (corp_id, conversation_id) REFERENCES conversations (corp_id, id)
      )`);
    await q.query(`CREATE INDEX conversation_members_user ON conversation_members (corp_id, userid)`);
    await q.query(`
      CREATE TABLE messages (
        corp_id         TEXT NOT NULL,
        conversation_id UUID NOT NULL,
        seq             BIGINT NOT NULL,
        id              UUID NOT NULL,
        sender          TEXT NOT NULL,
        client_msg_id   TEXT NOT NULL,
        type            TEXT NOT NULL,
        content         JSONB NOT NULL,
        sent_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
        recalled_at     TIMESTAMPTZ,
        recalled_by     TEXT,
        PRIMARY KEY (corp_id, conversation_id, seq),
        UNIQUE (corp_id, conversation_id, sender, client_msg_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE conversation_members`);
    await q.query(`DROP TABLE conversations`);
  }
}
