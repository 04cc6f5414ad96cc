import { randomUUID } from 'node:crypto';
import { queryReturning, Tx } from '@atrium/platform';
import { ConversationEnd } from '../messages/message-appender';

export interface AppSend {
  msgid: string;
  agentid: number;
  recipientCount: number;
  sentAt: Date;
  recalledAt: Date | null;
}

export interface AppConversationRef {
  userid: string;
  conversationId: string;
  created: boolean;
}

interface SendRow {
  msgid: string;
  agentid: number;
  recipient_count: number;
  sent_at: Date;
  recalled_at: Date | null;
}

const toSend = (r: SendRow): AppSend => ({
  msgid: r.msgid,
  agentid: r.agentid,
  recipientCount: r.recipient_count,
  sentAt: r.sent_at,
  recalledAt: r.recalled_at,
});

/** `app:<agentid>|<userid>`: one conversation per app and member (the direct_key index keeps it unique). */
const appKey = (agentid: number, userid: string) => `app:${agentid}|${userid}`;

/**
 * The set-at-a-time statements of an app's send: whatever the number of recipients, a send is a
 * handful of statements over arrays, never a statement (or a transaction) per recipient.
 */
export class AppMessagesRepository {
  /** The app conversation of each member, created where missing (with the member as its only member). */
  async ensureConversations(tx: Tx, corpId: string, agentid: number, name: string, userids: string[]): Promise<AppConversationRef[]> {
    const keys = userids.map((u) => appKey(agentid, u));
    const created = await tx.query<{ id: string; direct_key: string }[]>(
      `INSERT INTO conversations (corp_id, id, kind, name, owner, admin_only, who_may_add, max_members, direct_key, app_agentid)
       SELECT $1, x.id, 'app', $2, $3, true, 'admins', 1, x.key, $4 FROM unnest($5::uuid[], $6::text[]) AS x(id, key)
       ON CONFLICT DO NOTHING RETURNING id, direct_key`,
      [corpId, name, `app:${agentid}`, agentid, keys.map(() => randomUUID()), keys],
    );
    if (created.length > 0) {
      const userOf = new Map(keys.map((k, i) => [k, userids[i]]));
      await tx.query(
        `INSERT INTO conversation_members (corp_id, conversation_id, userid, role, joined_seq, read_seq)
         SELECT $1, x.id, x.userid, 'member', 0, 0 FROM unnest($2::uuid[], $3::text[]) AS x(id, userid)
         ON CONFLICT DO NOTHING`,
        [corpId, created.map((c) => c.id), created.map((c) => userOf.get(c.direct_key))],
      );
    }
    const fresh = new Set(created.map((c) => c.id));
    const rows = await tx.query<{ id: string; direct_key: string }[]>(
      `SELECT id, direct_key FROM conversations WHERE corp_id = $1 AND direct_key = ANY($2::text[])`,
      [corpId, keys],
    );
    const idOf = new Map(rows.map((r) => [r.direct_key, r.id]));
    return userids.map((userid, i) => {
      const conversationId = idOf.get(keys[i]);
      if (!conversationId) throw new Error(`app conversation ${keys[i]} vanished`);
      return { userid, conversationId, created: fresh.has(conversationId) };
    });
  }

  /**
   * Locks the app conversations for a send (renamed after the app as it is called now) and gives
   * each one's last seq. The rows are locked in id order, so two sends of the app to overlapping
   * members wait for each other instead of deadlocking.
   */
  async lockForSend(tx: Tx, corpId: string, conversationIds: string[], name: string): Promise<ConversationEnd[]> {
    const rows = await queryReturning<{ id: string; last_seq: string }>(
      tx,
      `UPDATE conversations c SET name = $3
         FROM (SELECT id FROM conversations WHERE corp_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE) locked
        WHERE c.corp_id = $1 AND c.id = locked.id
       RETURNING c.id, c.last_seq`,
      [corpId, conversationIds, name],
    );
    return rows.map((r) => ({ corpId, conversationId: r.id, lastSeq: Number(r.last_seq) }));
  }

  async insertSend(
    tx: Tx,
    send: { corpId: string; msgid: string; agentid: number; type: string; digest: string; recipientCount: number; sentAt: Date },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO app_sends (corp_id, msgid, agentid, type, digest, recipient_count, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [send.corpId, send.msgid, send.agentid, send.type, send.digest, send.recipientCount, send.sentAt],
    );
  }

  /** Serialises sends of the same app and digest, so two identical sends cannot both pass the duplicate check. */
  async lockDigest(tx: Tx, corpId: string, agentid: number, digest: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`app_sends:${corpId}:${agentid}:${digest}`]);
  }

  /** The latest unrecalled send of the same app and digest within the last `seconds`. */
  async findDuplicate(tx: Tx, corpId: string, agentid: number, digest: string, seconds: number): Promise<AppSend | undefined> {
    const [row] = await tx.query<SendRow[]>(
      `SELECT msgid, agentid, recipient_count, sent_at, recalled_at FROM app_sends
        WHERE corp_id = $1 AND agentid = $2 AND digest = $3 AND sent_at > now() - make_interval(secs => $4) AND recalled_at IS NULL
        ORDER BY sent_at DESC LIMIT 1`,
      [corpId, agentid, digest, seconds],
    );
    return row && toSend(row);
  }

  async lockSend(tx: Tx, corpId: string, msgid: string): Promise<AppSend | undefined> {
    const [row] = await tx.query<SendRow[]>(
      `SELECT msgid, agentid, recipient_count, sent_at, recalled_at FROM app_sends WHERE corp_id = $1 AND msgid = $2 FOR UPDATE`,
      [corpId, msgid],
    );
    return row && toSend(row);
  }

  /** Clears every message of the msgid (each keeps its place and seq as a marker) and names its member. */
  async recallMessages(
    tx: Tx,
    corpId: string,
    msgid: string,
    by: string,
  ): Promise<{ conversationId: string; seq: number; messageId: string; userid: string }[]> {
    await tx.query(`UPDATE app_sends SET recalled_at = now() WHERE corp_id = $1 AND msgid = $2`, [corpId, msgid]);
    const rows = await queryReturning<{ conversation_id: string; seq: string; id: string }>(
      tx,
      `UPDATE messages SET content = '{}'::jsonb, recalled_at = now(), recalled_by = $3
        WHERE corp_id = $1 AND msgid = $2 AND recalled_at IS NULL
       RETURNING conversation_id, seq, id`,
      [corpId, msgid, by],
    );
    if (rows.length === 0) return [];
    const members = await tx.query<{ conversation_id: string; userid: string }[]>(
      `SELECT conversation_id, userid FROM conversation_members WHERE corp_id = $1 AND conversation_id = ANY($2::uuid[])`,
      [corpId, rows.map((r) => r.conversation_id)],
    );
    const memberOf = new Map(members.map((m) => [m.conversation_id, m.userid]));
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      seq: Number(r.seq),
      messageId: r.id,
      userid: memberOf.get(r.conversation_id) ?? '',
    }));
  }

  /** An app-created group chat; false when the chatid is taken in the corp. */
  async insertChat(
    tx: Tx,
    chat: { corpId: string; id: string; chatid: string; agentid: number; name: string; owner: string; maxMembers: number },
  ): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `INSERT INTO conversations (corp_id, id, kind, name, owner, admin_only, who_may_add, max_members, app_agentid, chatid)
       VALUES ($1, $2, 'group', $3, $4, false, 'admins', $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [chat.corpId, chat.id, chat.name, chat.owner, chat.maxMembers, chat.agentid, chat.chatid],
    );
    return rows.length > 0;
  }

  async findChat(tx: Tx, corpId: string, chatid: string): Promise<{ conversationId: string; agentid: number } | undefined> {
    const [row] = await tx.query<{ id: string; app_agentid: number }[]>(
      `SELECT id, app_agentid FROM conversations WHERE corp_id = $1 AND chatid = $2`,
      [corpId, chatid],
    );
    return row && { conversationId: row.id, agentid: row.app_agentid };
  }
}
