import { queryReturning, Tx } from '@atrium/platform';
import { AppState, CardKey, CardRecord, CardType, MemberCardState, SendState } from './card-state';

interface CardRow {
  corp_id: string;
  conversation_id: string;
  seq: string;
  card_type: CardType;
  version: string;
  updated_at: Date;
}

interface SendRow {
  msgid: string;
  version: string;
  app_state: AppState | null;
  app_state_version: string | null;
}

interface MemberRow {
  seq: string;
  userid: string;
  response: string | null;
  responded_at: Date | null;
  responded_by: string | null;
  override: AppState | null;
  override_version: string | null;
}

interface CodeRow {
  code: string;
  agentid: number;
  msgid: string;
  conversation_id: string | null;
  seq: string | null;
  issued_for: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface ResponseCode {
  code: string;
  agentid: number;
  /** The send (every recipient's card) the code updates. */
  msgid: string;
  /** A click's code: the card clicked. */
  conversationId: string | null;
  seq: number | null;
  /** '' for the code of the send; the clicking member for a click's code. */
  issuedFor: string;
  expiresAt: Date;
  usedAt: Date | null;
}

const toCard = (r: CardRow): CardRecord => ({
  corpId: r.corp_id,
  conversationId: r.conversation_id,
  seq: Number(r.seq),
  cardType: r.card_type,
  version: Number(r.version),
  updatedAt: r.updated_at,
});

const toSend = (r: SendRow): SendState => ({
  msgid: r.msgid,
  version: Number(r.version),
  appState: r.app_state,
  appStateVersion: r.app_state_version === null ? null : Number(r.app_state_version),
});

const toMember = (r: MemberRow): MemberCardState => ({
  userid: r.userid,
  response: r.response,
  respondedAt: r.responded_at,
  respondedBy: r.responded_by,
  override: r.override,
  overrideVersion: r.override_version === null ? null : Number(r.override_version),
});

const toCode = (r: CodeRow): ResponseCode => ({
  code: r.code,
  agentid: r.agentid,
  msgid: r.msgid,
  conversationId: r.conversation_id,
  seq: r.seq === null ? null : Number(r.seq),
  issuedFor: r.issued_for,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});

const groupBySeq = <T>(rows: (T & { seq: string })[]) => {
  const bySeq = new Map<number, T[]>();
  for (const row of rows) {
    const seq = Number(row.seq);
    bySeq.set(seq, [...(bySeq.get(seq) ?? []), row]);
  }
  return bySeq;
};

export class CardStatesRepository {
  /** The card's state row, created on first use, locked: a card's changes serialise here, not on the conversation. */
  async lock(tx: Tx, key: CardKey, cardType: CardType): Promise<CardRecord> {
    await tx.query(`INSERT INTO card_states (corp_id, conversation_id, seq, card_type) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      key.corpId,
      key.conversationId,
      key.seq,
      cardType,
    ]);
    const [row] = await tx.query<CardRow[]>(
      `SELECT * FROM card_states WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3 FOR UPDATE`,
      [key.corpId, key.conversationId, key.seq],
    );
    return toCard(row);
  }

  async bump(tx: Tx, key: CardKey): Promise<CardRecord> {
    const [row] = await queryReturning<CardRow>(
      tx,
      `UPDATE card_states SET version = version + 1, updated_at = now() WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3 RETURNING *`,
      [key.corpId, key.conversationId, key.seq],
    );
    return toCard(row);
  }

  /** The send's row, created on first use, locked: an app's updates of one send serialise here. */
  async lockSend(tx: Tx, corpId: string, msgid: string, agentid: number): Promise<SendState> {
    await tx.query(`INSERT INTO card_send_states (corp_id, msgid, agentid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      corpId,
      msgid,
      agentid,
    ]);
    const [row] = await tx.query<SendRow[]>(`SELECT * FROM card_send_states WHERE corp_id = $1 AND msgid = $2 FOR UPDATE`, [corpId, msgid]);
    return toSend(row);
  }

  /** Next version of the send; with `appState`, what every recipient sees becomes it (one write). */
  async bumpSend(tx: Tx, corpId: string, msgid: string, appState?: AppState): Promise<SendState> {
    const [row] = await queryReturning<SendRow>(
      tx,
      appState === undefined
        ? `UPDATE card_send_states SET version = version + 1, updated_at = now() WHERE corp_id = $1 AND msgid = $2 RETURNING *`
        : `UPDATE card_send_states SET version = version + 1, updated_at = now(), app_state = $3::jsonb, app_state_version = version + 1
            WHERE corp_id = $1 AND msgid = $2 RETURNING *`,
      appState === undefined ? [corpId, msgid] : [corpId, msgid, JSON.stringify(appState)],
    );
    return toSend(row);
  }

  /** The msgid of an app's message (null for a member's). */
  async msgidOf(tx: Tx, key: CardKey): Promise<string | null> {
    const [row] = await tx.query<{ msgid: string | null }[]>(
      `SELECT msgid FROM messages WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3`,
      [key.corpId, key.conversationId, key.seq],
    );
    return row?.msgid ?? null;
  }

  /** The send state behind each card of a page (cards without one are absent). */
  async sendsFor(tx: Tx, corpId: string, conversationId: string, seqs: number[]): Promise<Map<number, SendState>> {
    if (seqs.length === 0) return new Map();
    const rows = await tx.query<(SendRow & { seq: string })[]>(
      `SELECT m.seq, s.* FROM messages m JOIN card_send_states s ON s.corp_id = m.corp_id AND s.msgid = m.msgid
        WHERE m.corp_id = $1 AND m.conversation_id = $2 AND m.seq = ANY($3::bigint[])`,
      [corpId, conversationId, seqs],
    );
    return new Map(rows.map((r) => [Number(r.seq), toSend(r)]));
  }

  /** The cards of one send still standing, with their member (one per app conversation); optionally only these members'. */
  async cardsOfSend(tx: Tx, corpId: string, msgid: string, sender: string, userids?: string[]): Promise<(CardKey & { userid: string })[]> {
    const rows = await tx.query<{ conversation_id: string; seq: string; userid: string }[]>(
      `SELECT m.conversation_id, m.seq, cm.userid FROM messages m
         JOIN conversation_members cm ON cm.corp_id = m.corp_id AND cm.conversation_id = m.conversation_id
        WHERE m.corp_id = $1 AND m.msgid = $2 AND m.sender = $3 AND m.recalled_at IS NULL
          AND ($4::text[] IS NULL OR cm.userid = ANY($4::text[]))
        ORDER BY m.conversation_id, cm.userid`,
      [corpId, msgid, sender, userids ?? null],
    );
    return rows.map((r) => ({ corpId, conversationId: r.conversation_id, seq: Number(r.seq), userid: r.userid }));
  }

  /** Versions and click tallies of many cards at once (an app's update of a whole send). */
  async summariesOf(
    tx: Tx,
    corpId: string,
    cards: CardKey[],
  ): Promise<Map<string, { version: number; clickCounts: Record<string, number> }>> {
    const out = new Map<string, { version: number; clickCounts: Record<string, number> }>();
    if (cards.length === 0) return out;
    const params = [corpId, cards.map((c) => c.conversationId), cards.map((c) => c.seq)];
    const keys = `SELECT * FROM unnest($2::uuid[], $3::bigint[]) AS k(conversation_id, seq)`;
    const versions = await tx.query<{ conversation_id: string; seq: string; version: string }[]>(
      `SELECT s.conversation_id, s.seq, s.version FROM card_states s JOIN (${keys}) k ON k.conversation_id = s.conversation_id AND k.seq = s.seq
        WHERE s.corp_id = $1`,
      params,
    );
    const clicks = await tx.query<{ conversation_id: string; seq: string; response: string; clicks: number }[]>(
      `SELECT m.conversation_id, m.seq, m.response, count(*)::int AS clicks FROM card_member_states m
         JOIN (${keys}) k ON k.conversation_id = m.conversation_id AND k.seq = m.seq
        WHERE m.corp_id = $1 AND m.response IS NOT NULL GROUP BY m.conversation_id, m.seq, m.response`,
      params,
    );
    const entry = (conversationId: string, seq: string) => {
      const id = `${conversationId}:${seq}`;
      if (!out.has(id)) out.set(id, { version: 0, clickCounts: {} });
      return out.get(id)!;
    };
    for (const v of versions) entry(v.conversation_id, v.seq).version = Number(v.version);
    for (const c of clicks) entry(c.conversation_id, c.seq).clickCounts[c.response] = c.clicks;
    return out;
  }

  async find(tx: Tx, key: CardKey): Promise<CardRecord | undefined> {
    const [row] = await tx.query<CardRow[]>(`SELECT * FROM card_states WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3`, [
      key.corpId,
      key.conversationId,
      key.seq,
    ]);
    return row && toCard(row);
  }

  async members(tx: Tx, key: CardKey): Promise<MemberCardState[]> {
    const rows = await tx.query<MemberRow[]>(
      `SELECT * FROM card_member_states WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3 ORDER BY userid`,
      [key.corpId, key.conversationId, key.seq],
    );
    return rows.map(toMember);
  }

  async member(tx: Tx, key: CardKey, userid: string): Promise<MemberCardState | undefined> {
    const [row] = await tx.query<MemberRow[]>(
      `SELECT * FROM card_member_states WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3 AND userid = $4`,
      [key.corpId, key.conversationId, key.seq, userid],
    );
    return row && toMember(row);
  }

  /** Sets each member's response (answer, done state, clicked key); `by` is who acted. */
  async respond(tx: Tx, key: CardKey, userids: string[], response: string, by: string): Promise<void> {
    await tx.query(
      `INSERT INTO card_member_states (corp_id, conversation_id, seq, userid, response, responded_at, responded_by)
       SELECT $1, $2, $3, u, $5, now(), $6 FROM unnest($4::text[]) AS u
       ON CONFLICT (corp_id, conversation_id, seq, userid)
       DO UPDATE SET response = EXCLUDED.response, responded_at = EXCLUDED.responded_at, responded_by = EXCLUDED.responded_by`,
      [key.corpId, key.conversationId, key.seq, userids, response, by],
    );
  }

  /** An app's update for this card's member only, stamped with the send version it came with. */
  async override(tx: Tx, key: CardKey, userids: string[], state: AppState, version: number): Promise<void> {
    await tx.query(
      `INSERT INTO card_member_states (corp_id, conversation_id, seq, userid, override, override_version)
       SELECT $1, $2, $3, u, $5::jsonb, $6 FROM unnest($4::text[]) AS u
       ON CONFLICT (corp_id, conversation_id, seq, userid)
       DO UPDATE SET override = EXCLUDED.override, override_version = EXCLUDED.override_version`,
      [key.corpId, key.conversationId, key.seq, userids, JSON.stringify(state), version],
    );
  }

  async clickCounts(tx: Tx, key: CardKey): Promise<Record<string, number>> {
    return (await this.clickCountsFor(tx, key.corpId, key.conversationId, [key.seq])).get(key.seq) ?? {};
  }

  /** The card rows of several messages of one conversation (a sync page). */
  async cardsFor(tx: Tx, corpId: string, conversationId: string, seqs: number[]): Promise<Map<number, CardRecord>> {
    if (seqs.length === 0) return new Map();
    const rows = await tx.query<CardRow[]>(
      `SELECT * FROM card_states WHERE corp_id = $1 AND conversation_id = $2 AND seq = ANY($3::bigint[])`,
      [corpId, conversationId, seqs],
    );
    return new Map(rows.map((r) => [Number(r.seq), toCard(r)]));
  }

  /** Member rows of several cards: all of them, or (with `userid`) only that member's. */
  async membersFor(
    tx: Tx,
    corpId: string,
    conversationId: string,
    seqs: number[],
    userid?: string,
  ): Promise<Map<number, MemberCardState[]>> {
    if (seqs.length === 0) return new Map();
    const rows = await tx.query<MemberRow[]>(
      `SELECT * FROM card_member_states WHERE corp_id = $1 AND conversation_id = $2 AND seq = ANY($3::bigint[])
          AND ($4::text IS NULL OR userid = $4) ORDER BY seq, userid`,
      [corpId, conversationId, seqs, userid ?? null],
    );
    const grouped = groupBySeq(rows);
    return new Map([...grouped].map(([seq, members]) => [seq, members.map(toMember)]));
  }

  async clickCountsFor(tx: Tx, corpId: string, conversationId: string, seqs: number[]): Promise<Map<number, Record<string, number>>> {
    if (seqs.length === 0) return new Map();
    const rows = await tx.query<{ seq: string; response: string; clicks: number }[]>(
      `SELECT seq, response, count(*)::int AS clicks FROM card_member_states
        WHERE corp_id = $1 AND conversation_id = $2 AND seq = ANY($3::bigint[]) AND response IS NOT NULL GROUP BY seq, response`,
      [corpId, conversationId, seqs],
    );
    const out = new Map<number, Record<string, number>>();
    for (const row of rows) {
      const seq = Number(row.seq);
      out.set(seq, { ...(out.get(seq) ?? {}), [row.response]: row.clicks });
    }
    return out;
  }

  async insertCode(tx: Tx, corpId: string, code: Omit<ResponseCode, 'usedAt'>): Promise<void> {
    await tx.query(
      `INSERT INTO card_response_codes (corp_id, code, agentid, msgid, conversation_id, seq, issued_for, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [corpId, code.code, code.agentid, code.msgid, code.conversationId, code.seq, code.issuedFor, code.expiresAt],
    );
  }

  /** Locked: two concurrent updates with one code cannot both spend it. */
  async lockCode(tx: Tx, corpId: string, code: string): Promise<ResponseCode | undefined> {
    const [row] = await tx.query<CodeRow[]>(`SELECT * FROM card_response_codes WHERE corp_id = $1 AND code = $2 FOR UPDATE`, [
      corpId,
      code,
    ]);
    return row && toCode(row);
  }

  async spendCode(tx: Tx, corpId: string, code: string): Promise<void> {
    await tx.query(`UPDATE card_response_codes SET used_at = now() WHERE corp_id = $1 AND code = $2`, [corpId, code]);
  }
}
