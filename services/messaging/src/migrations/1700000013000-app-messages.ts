import { MigrationInterface, QueryRunner } from 'typeorm';

/** Apps as senders: 1:1 app conversations, app-created group chats (chatid), msgids and duplicate checks. */
export class AppMessages1700000013000 implements MigrationInterface {
  name = 'AppMessages1700000013000';

  async up(q: QueryRunner): Promise<void> {
    // An `app` conversation is one app and one member (its direct_key is `app:<agentid>|<userid>`,
    // which no pair of userids can spell: a userid has no colon).
    await q.query(`ALTER TABLE conversations DROP CONSTRAINT conversations_kind_check`);
    await q.query(`ALTER TABLE conversations ADD CONSTRAINT conversations_kind_check CHECK (kind IN ('direct', 'group', 'app'))`);
    await q.query(`
      ALTER TABLE conversations
        -- The app of an app conversation, or the app that created a group chat (appchat).
        ADD COLUMN app_agentid INTEGER,
        -- WeCom's chatid of an app-created group chat: unique in the corp, whichever app made it.
        ADD COLUMN chatid      TEXT`);
    await q.query(`CREATE UNIQUE INDEX conversations_chatid ON conversations (corp_id, chatid) WHERE chatid IS NOT NULL`);
    // The msgid of an app's send, on each of its messages: a recall finds them all in one scan.
    await q.query(`ALTER TABLE messages ADD COLUMN msgid TEXT`);
    await q.query(`CREATE INDEX messages_msgid ON messages (corp_id, msgid) WHERE msgid IS NOT NULL`);
    // One row per send: who sent it (recall rights), when (recall window), and what to whom as a
    // digest (the duplicate check looks back at most four hours).
    await q.query(`
      CREATE TABLE app_sends (
        corp_id         TEXT NOT NULL,
        msgid           TEXT NOT NULL,
        agentid         INTEGER NOT NULL,
        type            TEXT NOT NULL,
        digest          TEXT NOT NULL,
        recipient_count INTEGER NOT NULL,
        sent_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
        recalled_at     TIMESTAMPTZ,
        PRIMARY KEY (corp_id, msgid)
      )`);
    await q.query(`CREATE INDEX app_sends_digest ON app_sends (corp_id, agentid, digest, sent_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE app_sends`);
    await q.query(`DROP INDEX messages_msgid`);
    await q.query(`ALTER TABLE messages DROP COLUMN msgid`);
    await q.query(`DROP INDEX conversations_chatid`);
    await q.query(`ALTER TABLE conversations DROP COLUMN chatid, DROP COLUMN app_agentid`);
    await q.query(`ALTER TABLE conversations DROP CONSTRAINT conversations_kind_check`);
    await q.query(`ALTER TABLE conversations ADD CONSTRAINT conversations_kind_check CHECK (kind IN ('direct', 'group'))`);
  }
}
