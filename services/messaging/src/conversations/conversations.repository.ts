import { queryReturning, SqlStatement, Tx } from '@atrium/platform';
import { Conversation, ConversationMember, ConversationView, MemberRole } from './conversation';

interface ConversationRow {
  corp_id: string;
  id: string;
  kind: Conversation['kind'];
  name: string;
  owner: string;
  notice: string;
  admin_only: boolean;
  who_may_add: Conversation['whoMayAdd'];
  max_members: number;
  last_seq: string;
  last_activity_at: Date;
  dissolved_at: Date | null;
  member_count: number;
  department_id?: number | null;
  department_subtree?: boolean;
}

interface MemberRow {
  userid: string;
  role: MemberRole;
  joined_seq: string;
  read_seq: string;
  muted_until: Date | null;
  pinned: boolean;
  notifications_muted: boolean;
}

const CONVERSATION = `c.*, (SELECT count(*)::int FROM conversation_members x WHERE x.corp_id = c.corp_id AND x.conversation_id = c.id) AS member_count`;

const toConversation = (r: ConversationRow): Conversation => ({
  corpId: r.corp_id,
  id: r.id,
  kind: r.kind,
  name: r.name,
  owner: r.owner,
  notice: r.notice,
  adminOnly: r.admin_only,
  whoMayAdd: r.who_may_add,
  maxMembers: r.max_members,
  lastSeq: Number(r.last_seq),
  lastActivityAt: r.last_activity_at,
  dissolved: r.dissolved_at !== null,
  memberCount: r.member_count,
  departmentId: r.department_id ?? null,
  departmentSubtree: r.department_subtree ?? false,
});

const toMember = (r: MemberRow): ConversationMember => ({
  userid: r.userid,
  role: r.role,
  joinedSeq: Number(r.joined_seq),
  readSeq: Number(r.read_seq),
  mutedUntil: r.muted_until,
  pinned: r.pinned,
  notificationsMuted: r.notifications_muted,
});

export interface SendKey {
  corpId: string;
  conversationId: string;
  userid: string;
  clientMsgId: string;
}

export interface LockedForSend {
  conversation: Omit<Conversation, 'memberCount'>;
  me?: ConversationMember;
  originalSeq?: number;
  unreadBurns: boolean;
}

export class ConversationsRepository {
  async insert(
    tx: Tx,
    c: Omit<Conversation, 'lastSeq' | 'lastActivityAt' | 'dissolved' | 'memberCount'>,
    directKey: string | null,
  ): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `INSERT INTO conversations (corp_id, id, kind, name, owner, admin_only, who_may_add, max_members, direct_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
      [c.corpId, c.id, c.kind, c.name, c.owner, c.adminOnly, c.whoMayAdd, c.maxMembers, directKey],
    );
    return rows.length > 0;
  }

  async findDirect(tx: Tx, corpId: string, directKey: string): Promise<Conversation | undefined> {
    const [row] = await tx.query<ConversationRow[]>(
      `SELECT ${CONVERSATION} FROM conversations c WHERE c.corp_id = $1 AND c.direct_key = $2`,
      [corpId, directKey],
    );
    return row && toConversation(row);
  }

  /** Locks the conversation row: sequence, membership and settings changes of one conversation serialise here. */
  async lock(tx: Tx, corpId: string, id: string): Promise<Conversation | undefined> {
    const [row] = await tx.query<ConversationRow[]>(
      `SELECT ${CONVERSATION} FROM conversations c WHERE c.corp_id = $1 AND c.id = $2 FOR UPDATE OF c`,
      [corpId, id],
    );
    return row && toConversation(row);
  }

  async find(tx: Tx, corpId: string, id: string): Promise<Conversation | undefined> {
    const [row] = await tx.query<ConversationRow[]>(`SELECT ${CONVERSATION} FROM conversations c WHERE c.corp_id = $1 AND c.id = $2`, [
      corpId,
      id,
    ]);
    return row && toConversation(row);
  }

  /**
   * The reads of a batch of sends in one round trip, a row per key that names an existing
   * conversation (keyed by `i`, the key's index): the conversation locked (nobody else appends
   * meanwhile, so its next seq is `lastSeq + 1`), the sender's membership, the seq of a message the
   * sender already stored under the client message id, and whether the sender's cursor is about to
   * pass the other party's unread burn-after-reading messages (direct chats only). Conversations are
   * locked in key order so that two batches never wait for each other crosswise. No member count:
   * counting a 2,000-member group on every send is what made large groups slow.
   */
  async lockForSend(tx: Tx, keys: SendKey[]): Promise<Map<number, LockedForSend>> {
    const rows = await tx.query<(ConversationRow & MemberRow & { i: string; original_seq: string | null; unread_burns: boolean })[]>(
      `SELECT k.i, c.*, 0 AS member_count, m.userid, m.role, m.joined_seq, m.read_seq, m.muted_until, m.pinned, m.notifications_muted,
              (SELECT x.seq FROM messages x
                WHERE x.corp_id = c.corp_id AND x.conversation_id = c.id AND x.sender = k.userid AND x.client_msg_id = k.client_msg_id) AS original_seq,
              CASE WHEN c.kind = 'direct' AND m.userid IS NOT NULL THEN EXISTS (
                SELECT 1 FROM messages x
                 WHERE x.corp_id = c.corp_id AND x.conversation_id = c.id AND x.seq > m.read_seq
                   AND x.burn_after_reading AND x.burnt_at IS NULL AND x.sender <> m.userid) ELSE false END AS unread_burns
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS k(corp_id, conversation_id, userid, client_msg_id, i)
         JOIN conversations c ON c.corp_id = k.corp_id AND c.id = k.conversation_id
         LEFT JOIN conversation_members m ON m.corp_id = c.corp_id AND m.conversation_id = c.id AND m.userid = k.userid
        ORDER BY c.corp_id, c.id
          FOR UPDATE OF c`,
      [keys.map((k) => k.corpId), keys.map((k) => k.conversationId), keys.map((k) => k.userid), keys.map((k) => k.clientMsgId)],
    );
    const locked = new Map<number, LockedForSend>();
    for (const row of rows) {
      const { memberCount: _, ...conversation } = toConversation(row);
      locked.set(Number(row.i) - 1, {
        conversation,
        me: row.userid ? toMember(row) : undefined,
        originalSeq: row.original_seq === null ? undefined : Number(row.original_seq),
        unreadBurns: row.unread_burns,
      });
    }
    return locked;
  }

  /**
   * Conversations' seqs moved on (under the row locks the caller holds), one entry per conversation;
   * see `runCombined`. The only statement that moves `last_seq`: the message appender runs it.
   */
  appendSeqsStatement(seqs: { corpId: string; id: string; seq: number }[]): SqlStatement {
    return {
      text: `UPDATE conversations c SET last_seq = v.seq, last_activity_at = now()
               FROM unnest($1::text[], $2::uuid[], $3::bigint[]) AS v(corp_id, id, seq)
              WHERE c.corp_id = v.corp_id AND c.id = v.id`,
      values: [seqs.map((s) => s.corpId), seqs.map((s) => s.id), seqs.map((s) => s.seq)],
    };
  }

  /** Members' read cursors moved forward (never back), one entry per member and conversation; see `runCombined`. */
  advanceReadsStatement(cursors: { corpId: string; conversationId: string; userid: string; seq: number }[]): SqlStatement {
    return {
      text: `UPDATE conversation_members m SET read_seq = GREATEST(m.read_seq, v.seq)
               FROM unnest($1::text[], $2::uuid[], $3::text[], $4::bigint[]) AS v(corp_id, conversation_id, userid, seq)
              WHERE m.corp_id = v.corp_id AND m.conversation_id = v.conversation_id AND m.userid = v.userid`,
      values: [cursors.map((c) => c.corpId), cursors.map((c) => c.conversationId), cursors.map((c) => c.userid), cursors.map((c) => c.seq)],
    };
  }

  async update(tx: Tx, c: Conversation): Promise<void> {
    await tx.query(
      `UPDATE conversations SET name = $3, notice = $4, admin_only = $5, who_may_add = $6, owner = $7,
              dissolved_at = CASE WHEN $8 THEN coalesce(dissolved_at, now()) ELSE NULL END
        WHERE corp_id = $1 AND id = $2`,
      [c.corpId, c.id, c.name, c.notice, c.adminOnly, c.whoMayAdd, c.owner, c.dissolved],
    );
  }

  async member(tx: Tx, corpId: string, id: string, userid: string): Promise<ConversationMember | undefined> {
    const [row] = await tx.query<MemberRow[]>(
      `SELECT * FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3`,
      [corpId, id, userid],
    );
    return row && toMember(row);
  }

  async members(tx: Tx, corpId: string, id: string, after: string, limit: number): Promise<ConversationMember[]> {
    const rows = await tx.query<MemberRow[]>(
      `SELECT * FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2 AND userid > $3 ORDER BY userid LIMIT $4`,
      [corpId, id, after, limit],
    );
    return rows.map(toMember);
  }

  async existingMembers(tx: Tx, corpId: string, id: string, userids: string[]): Promise<Set<string>> {
    const rows = await tx.query<{ userid: string }[]>(
      `SELECT userid FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2 AND userid = ANY($3::text[])`,
      [corpId, id, userids],
    );
    return new Set(rows.map((r) => r.userid));
  }

  /** New members have read nothing that came before they joined. */
  async addMembers(
    tx: Tx,
    corpId: string,
    id: string,
    members: { userid: string; role: MemberRole }[],
    joinedSeq: number,
  ): Promise<string[]> {
    if (members.length === 0) return [];
    const rows = await tx.query<{ userid: string }[]>(
      `INSERT INTO conversation_members (corp_id, conversation_id, userid, role, joined_seq, read_seq)
       SELECT $1, $2, m.userid, m.role, $5, $5 FROM unnest($3::text[], $4::text[]) AS m(userid, role)
       ON CONFLICT DO NOTHING RETURNING userid`,
      [corpId, id, members.map((m) => m.userid), members.map((m) => m.role), joinedSeq],
    );
    return rows.map((r) => r.userid);
  }

  async removeMembers(tx: Tx, corpId: string, id: string, userids: string[]): Promise<string[]> {
    const rows = await queryReturning<{ userid: string }>(
      tx,
      `DELETE FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2 AND userid = ANY($3::text[]) RETURNING userid`,
      [corpId, id, userids],
    );
    return rows.map((r) => r.userid);
  }

  async setRole(tx: Tx, corpId: string, id: string, userid: string, role: MemberRole): Promise<void> {
    await tx.query(`UPDATE conversation_members SET role = $4 WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3`, [
      corpId,
      id,
      userid,
      role,
    ]);
  }

  async setMutedUntil(tx: Tx, corpId: string, id: string, userid: string, until: Date | null): Promise<void> {
    await tx.query(`UPDATE conversation_members SET muted_until = $4 WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3`, [
      corpId,
      id,
      userid,
      until,
    ]);
  }

  async setPreferences(tx: Tx, corpId: string, id: string, userid: string, pinned: boolean, notificationsMuted: boolean): Promise<void> {
    await tx.query(
      `UPDATE conversation_members SET pinned = $4, notifications_muted = $5 WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3`,
      [corpId, id, userid, pinned, notificationsMuted],
    );
  }

  /** Moves a read cursor forward only; returns the cursor after the update. */
  async advanceRead(tx: Tx, corpId: string, id: string, userid: string, seq: number): Promise<number> {
    const [row] = await queryReturning<{ read_seq: string }>(
      tx,
      `UPDATE conversation_members SET read_seq = GREATEST(read_seq, $4) WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3 RETURNING read_seq`,
      [corpId, id, userid, seq],
    );
    return Number(row?.read_seq ?? 0);
  }

  /** The caller's conversations: pinned first, then by last activity. */
  async listFor(tx: Tx, corpId: string, userid: string, offset: number, limit: number): Promise<ConversationView[]> {
    const rows = await tx.query<(ConversationRow & MemberRow)[]>(
      `SELECT ${CONVERSATION}, m.userid, m.role, m.joined_seq, m.read_seq, m.muted_until, m.pinned, m.notifications_muted
         FROM conversation_members m JOIN conversations c ON c.corp_id = m.corp_id AND c.id = m.conversation_id
        WHERE m.corp_id = $1 AND m.userid = $2
        ORDER BY m.pinned DESC, c.last_activity_at DESC, c.id OFFSET $3 LIMIT $4`,
      [corpId, userid, offset, limit],
    );
    return rows.map((r) => ({ ...toConversation(r), me: toMember(r) }));
  }

  async conversationIdsOf(tx: Tx, corpId: string, userid: string): Promise<string[]> {
    const rows = await tx.query<{ conversation_id: string }[]>(
      `SELECT conversation_id FROM conversation_members WHERE corp_id = $1 AND userid = $2`,
      [corpId, userid],
    );
    return rows.map((r) => r.conversation_id);
  }

  /** Read receipt of message `seq`: members present when it was sent, split by their cursor. */
  async receipt(
    tx: Tx,
    corpId: string,
    id: string,
    seq: number,
    sender: string,
    limit: number,
  ): Promise<{ readCount: number; unreadCount: number; readBy: string[]; unreadBy: string[] }> {
    const [counts] = await tx.query<{ read: number; unread: number }[]>(
      `SELECT count(*) FILTER (WHERE read_seq >= $3)::int AS read, count(*) FILTER (WHERE read_seq < $3)::int AS unread
         FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2 AND joined_seq < $3 AND userid <> $4`,
      [corpId, id, seq, sender],
    );
    const list = async (op: '>=' | '<') =>
      limit <= 0
        ? []
        : (
            await tx.query<{ userid: string }[]>(
              `SELECT userid FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2 AND joined_seq < $3 AND userid <> $4 AND read_seq ${op} $3
                ORDER BY userid LIMIT $5`,
              [corpId, id, seq, sender, limit],
            )
          ).map((r) => r.userid);
    return { readCount: counts.read, unreadCount: counts.unread, readBy: await list('>='), unreadBy: await list('<') };
  }
}
