import { queryReturning, Tx } from '@atrium/platform';

export interface BurntRow {
  conversationId: string;
  seq: number;
  id: string;
  sender: string;
}

export class BurnRepository {
  /** Corps with burn-after-reading messages not yet purged (a small partial index). */
  async corpsWithPending(tx: Tx): Promise<string[]> {
    const rows = await tx.query<{ corp_id: string }[]>(
      `SELECT DISTINCT corp_id FROM messages WHERE burn_after_reading AND burnt_at IS NULL ORDER BY corp_id`,
    );
    return rows.map((r) => r.corp_id);
  }

  /** Clears the content of up to `limit` messages sent before `sentBefore`, oldest first. */
  async purgeBatch(tx: Tx, corpId: string, sentBefore: Date, burntAt: Date, limit: number): Promise<BurntRow[]> {
    const rows = await queryReturning<{ conversation_id: string; seq: string; id: string; sender: string }>(
      tx,
      `UPDATE messages m SET content = '{}'::jsonb, burnt_at = $3
        WHERE (m.corp_id, m.conversation_id, m.seq) IN (
          SELECT corp_id, conversation_id, seq FROM messages
           WHERE corp_id = $1 AND burn_after_reading AND burnt_at IS NULL AND sent_at <= $2
           ORDER BY sent_at LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING m.conversation_id, m.seq, m.id, m.sender`,
      [corpId, sentBefore, burntAt, limit],
    );
    return rows.map((r) => ({ conversationId: r.conversation_id, seq: Number(r.seq), id: r.id, sender: r.sender }));
  }

  /** Burn-after-reading messages for `reader` in (afterSeq, uptoSeq]: the ones their read just burnt. */
  async readBy(tx: Tx, corpId: string, conversationId: string, reader: string, afterSeq: number, uptoSeq: number): Promise<number[]> {
    const rows = await tx.query<{ seq: string }[]>(
      `SELECT seq FROM messages
        WHERE corp_id = $1 AND conversation_id = $2 AND seq > $4 AND seq <= $5
          AND burn_after_reading AND burnt_at IS NULL AND sender <> $3
        ORDER BY seq`,
      [corpId, conversationId, reader, afterSeq, uptoSeq],
    );
    return rows.map((r) => Number(r.seq));
  }
}
