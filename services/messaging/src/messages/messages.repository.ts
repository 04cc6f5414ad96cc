import { SqlStatement, Tx } from '@atrium/platform';
import { ForwardedFrom, Message } from './message';

interface Row {
  corp_id: string;
  conversation_id: string;
  seq: string;
  id: string;
  sender: string;
  client_msg_id: string;
  type: Message['type'];
  content: Record<string, unknown>;
  sent_at: Date;
  recalled_at: Date | null;
  recalled_by: string | null;
  burn_after_reading?: boolean;
  burnt_at?: Date | null;
  expired_at?: Date | null;
  forwarded_from?: ForwardedFrom | null;
  request_hash?: string | null;
  msgid?: string | null;
}

const toMessage = (r: Row): Message => ({
  corpId: r.corp_id,
  conversationId: r.conversation_id,
  seq: Number(r.seq),
  id: r.id,
  sender: r.sender,
  clientMsgId: r.client_msg_id,
  type: r.type,
  content: r.content,
  sentAt: r.sent_at,
  recalledAt: r.recalled_at,
  recalledBy: r.recalled_by,
  burnAfterReading: r.burn_after_reading ?? false,
  burntAt: r.burnt_at ?? null,
  expiredAt: r.expired_at ?? null,
  forwardedFrom: r.forwarded_from ?? null,
  requestHash: r.request_hash ?? null,
  msgid: r.msgid ?? null,
});

export class MessagesRepository {
  /**
   * Messages in one multi-row insert whose text does not depend on how many; see `runCombined`.
   * Only the message appender writes it. A content shared by many messages (an app's send to every
   * member) travels once.
   */
  insertStatement(messages: Message[]): SqlStatement {
    const column = <T>(pick: (m: Message) => T) => messages.map(pick);
    const contents = new Map<Record<string, unknown>, number>();
    for (const m of messages) if (!contents.has(m.content)) contents.set(m.content, contents.size + 1);
    return {
      text: `INSERT INTO messages (corp_id, conversation_id, seq, id, sender, client_msg_id, type, content, sent_at, burn_after_reading, forwarded_from, request_hash, msgid)
             SELECT x.corp_id, x.conversation_id, x.seq, x.id, x.sender, x.client_msg_id, x.type, ($8::jsonb[])[x.content_index], x.sent_at,
                    x.burn_after_reading, x.forwarded_from, x.request_hash, x.msgid
               FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::text[], $9::timestamptz[], $10::boolean[],
                           $11::jsonb[], $12::text[], $13::text[], $14::int[])
                 AS x(corp_id, conversation_id, seq, id, sender, client_msg_id, type, sent_at, burn_after_reading, forwarded_from, request_hash, msgid, content_index)`,
      values: [
        column((m) => m.corpId),
        column((m) => m.conversationId),
        column((m) => m.seq),
        column((m) => m.id),
        column((m) => m.sender),
        column((m) => m.clientMsgId),
        column((m) => m.type),
        [...contents.keys()].map((content) => JSON.stringify(content)),
        column((m) => m.sentAt),
        column((m) => m.burnAfterReading ?? false),
        column((m) => (m.forwardedFrom ? JSON.stringify(m.forwardedFrom) : null)),
        column((m) => m.requestHash ?? null),
        column((m) => m.msgid ?? null),
        column((m) => contents.get(m.content)!),
      ],
    };
  }

  async findByClientId(tx: Tx, corpId: string, conversationId: string, sender: string, clientMsgId: string): Promise<Message | undefined> {
    const [row] = await tx.query<Row[]>(
      `SELECT * FROM messages WHERE corp_id = $1 AND conversation_id = $2 AND sender = $3 AND client_msg_id = $4`,
      [corpId, conversationId, sender, clientMsgId],
    );
    return row && toMessage(row);
  }

  async findBySeq(tx: Tx, corpId: string, conversationId: string, seq: number): Promise<Message | undefined> {
    const [row] = await tx.query<Row[]>(`SELECT * FROM messages WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3`, [
      corpId,
      conversationId,
      seq,
    ]);
    return row && toMessage(row);
  }

  /** Messages after `afterSeq`, ascending, at most `limit`. */
  async after(tx: Tx, corpId: string, conversationId: string, afterSeq: number, limit: number): Promise<Message[]> {
    const rows = await tx.query<Row[]>(
      `SELECT * FROM messages WHERE corp_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
      [corpId, conversationId, afterSeq, limit],
    );
    return rows.map(toMessage);
  }

  /** Clears the content: a recalled message keeps its place (and seq) as a marker. */
  async recall(tx: Tx, corpId: string, conversationId: string, seq: number, by: string): Promise<void> {
    await tx.query(
      `UPDATE messages SET content = '{}'::jsonb, recalled_at = now(), recalled_by = $4 WHERE corp_id = $1 AND conversation_id = $2 AND seq = $3`,
      [corpId, conversationId, seq, by],
    );
  }
}
