import { MigrationInterface, QueryRunner } from 'typeorm';

export class CardState1700000014000 implements MigrationInterface {
  name = 'CardState1700000014000';

  async up(q: QueryRunner): Promise<void> {
    // The mutable side of a card message (the message row never changes). One row per card, created
    // on its first change; its row lock serialises the card's changes and `version` orders them.
    await q.query(`
      CREATE TABLE card_states (
        corp_id         TEXT NOT NULL,
        conversation_id UUID NOT NULL,
        seq             BIGINT NOT NULL,
        card_type       TEXT NOT NULL CHECK (card_type IN ('schedule_card', 'todo_card', 'template_card')),
        version         BIGINT NOT NULL DEFAULT 0,
        updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, conversation_id, seq)
      )`);
    // What an app set on a template card it sent (message/send: one message per recipient, one
    // msgid): a disabled label or a new card, once for the whole send, so an update "for everyone"
    // is one write whatever the number of recipients. `version` orders the app's updates (and the
    // member overrides below).
    await q.query(`
      CREATE TABLE card_send_states (
        corp_id           TEXT NOT NULL,
        msgid             TEXT NOT NULL,
        agentid           INTEGER NOT NULL,
        version           BIGINT NOT NULL DEFAULT 0,
        app_state         JSONB,
        app_state_version BIGINT,
        updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, msgid)
      )`);
    // Only the members who acted (answered, were marked, clicked) or whom an app's targeted update
    // named have a row. `override` beats the send's app state when its version is newer.
    await q.query(`
      CREATE TABLE card_member_states (
        corp_id          TEXT NOT NULL,
        conversation_id  UUID NOT NULL,
        seq              BIGINT NOT NULL,
        userid           TEXT NOT NULL,
        response         TEXT,
        responded_at     TIMESTAMPTZ,
        responded_by     TEXT,
        override         JSONB,
        override_version BIGINT,
        PRIMARY KEY (corp_id, conversation_id, seq, userid),
        FOREIGN KEY (corp_id, conversation_id, seq) REFERENCES card_states (corp_id, conversation_id, seq)
      )`);
    // Click tallies of template cards come from one grouped scan of the card's rows.
    await q.query(`CREATE INDEX card_member_states_response ON card_member_states (corp_id, conversation_id, seq, response)`);
    // WeCom's response_code: issued when an app sends a template card (for the whole send) and on
    // each click of one (naming the clicked card and member); spent once, within its lifetime.
    await q.query(`
      CREATE TABLE card_response_codes (
        corp_id         TEXT NOT NULL,
        code            TEXT NOT NULL,
        agentid         INTEGER NOT NULL,
        msgid           TEXT NOT NULL,
        conversation_id UUID,
        seq             BIGINT,
        -- '' for the code of the send; the clicking member for a click's code.
        issued_for      TEXT NOT NULL,
        issued_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
        expires_at      TIMESTAMPTZ NOT NULL,
        used_at         TIMESTAMPTZ,
        PRIMARY KEY (corp_id, code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE card_response_codes`);
    await q.query(`DROP TABLE card_member_states`);
    await q.query(`DROP TABLE card_send_states`);
    await q.query(`DROP TABLE card_states`);
  }
}
