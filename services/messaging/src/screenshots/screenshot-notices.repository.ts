import { Tx } from '@atrium/platform';

export class ScreenshotNoticesRepository {
  async last(tx: Tx, corpId: string, conversationId: string, userid: string): Promise<Date | undefined> {
    const [row] = await tx.query<{ last_at: Date }[]>(
      `SELECT last_at FROM screenshot_notices WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3`,
      [corpId, conversationId, userid],
    );
    return row?.last_at;
  }

  async record(tx: Tx, corpId: string, conversationId: string, userid: string, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO screenshot_notices (corp_id, conversation_id, userid, last_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (corp_id, conversation_id, userid) DO UPDATE SET last_at = EXCLUDED.last_at`,
      [corpId, conversationId, userid, at],
    );
  }
}
