import { queryReturning, Tx } from '@atrium/platform';

export class RetentionRepository {
  /**
   * Turns up to `limit` of the corp's oldest messages sent before `before` into tombstones: the
   * row (and its seq) stays so sync has no gaps, the content goes. Row locks only, one short
   * transaction per batch, skipping rows a sender or another sweep holds.
   */
  async expireBatch(tx: Tx, corpId: string, before: Date, expiredAt: Date, limit: number): Promise<number> {
    const rows = await queryReturning<{ seq: string }>(
      tx,
      `UPDATE messages m SET content = '{}'::jsonb, expired_at = $3
        WHERE (m.corp_id, m.conversation_id, m.seq) IN (
          SELECT corp_id, conversation_id, seq FROM messages
           WHERE corp_id = $1 AND expired_at IS NULL AND sent_at < $2
           ORDER BY sent_at LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING m.seq`,
      [corpId, before, expiredAt, limit],
    );
    return rows.length;
  }
}
