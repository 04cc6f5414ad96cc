import { Tx } from '@atrium/platform';

export interface ResyncRequest {
  corpId: string;
  conversationId: string;
  /** As PostgreSQL prints it: microseconds survive the round trip (a JS Date would drop them). */
  requestedAt: string;
}

export class DepartmentGroupsRepository {
  async bind(tx: Tx, corpId: string, conversationId: string, departmentId: number, subtree: boolean): Promise<void> {
    await tx.query(`UPDATE conversations SET department_id = $3, department_subtree = $4 WHERE corp_id = $1 AND id = $2`, [
      corpId,
      conversationId,
      departmentId,
      subtree,
    ]);
  }

  /** The department is gone: the group stays, as an ordinary group with the members it has. */
  async unbind(tx: Tx, corpId: string, conversationId: string): Promise<void> {
    await tx.query(`UPDATE conversations SET department_id = NULL, department_subtree = false WHERE corp_id = $1 AND id = $2`, [
      corpId,
      conversationId,
    ]);
  }

  async anyIn(tx: Tx, corpId: string): Promise<boolean> {
    const rows = await tx.query<unknown[]>(`SELECT 1 FROM conversations WHERE corp_id = $1 AND department_id IS NOT NULL LIMIT 1`, [
      corpId,
    ]);
    return rows.length > 0;
  }

  /** Live department groups bound to one of `direct`, or with their subtree to one of `subtreeOf`. */
  async boundTo(tx: Tx, corpId: string, direct: number[], subtreeOf: number[]): Promise<string[]> {
    const rows = await tx.query<{ id: string }[]>(
      `SELECT id FROM conversations
        WHERE corp_id = $1 AND department_id IS NOT NULL AND dissolved_at IS NULL
          AND (department_id = ANY($2::int[]) OR (department_subtree AND department_id = ANY($3::int[])))`,
      [corpId, direct, subtreeOf],
    );
    return rows.map((r) => r.id);
  }

  /** Live department groups `userid` is a member of. */
  async of(tx: Tx, corpId: string, userid: string): Promise<string[]> {
    const rows = await tx.query<{ id: string }[]>(
      `SELECT c.id FROM conversation_members m JOIN conversations c ON c.corp_id = m.corp_id AND c.id = m.conversation_id
        WHERE m.corp_id = $1 AND m.userid = $2 AND c.department_id IS NOT NULL AND c.dissolved_at IS NULL`,
      [corpId, userid],
    );
    return rows.map((r) => r.id);
  }

  async memberIds(tx: Tx, corpId: string, conversationId: string): Promise<string[]> {
    const rows = await tx.query<{ userid: string }[]>(
      `SELECT userid FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2`,
      [corpId, conversationId],
    );
    return rows.map((r) => r.userid);
  }

  /** Each request moves `requested_at`, so a sync in flight keeps a newer request pending. */
  async requestResync(tx: Tx, corpId: string, conversationIds: string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    await tx.query(
      `INSERT INTO department_group_resyncs (corp_id, conversation_id, requested_at)
       SELECT $1, id, clock_timestamp() FROM unnest($2::uuid[]) AS id
       ON CONFLICT (corp_id, conversation_id) DO UPDATE SET requested_at = EXCLUDED.requested_at`,
      [corpId, conversationIds],
    );
  }

  async pending(tx: Tx, limit: number): Promise<ResyncRequest[]> {
    const rows = await tx.query<{ corp_id: string; conversation_id: string; requested_at: string }[]>(
      `SELECT corp_id, conversation_id, requested_at::text AS requested_at FROM department_group_resyncs r ORDER BY r.requested_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ corpId: r.corp_id, conversationId: r.conversation_id, requestedAt: r.requested_at }));
  }

  /** Clears the request this sync served, and only that one. */
  async resolved(tx: Tx, request: ResyncRequest): Promise<void> {
    await tx.query(`DELETE FROM department_group_resyncs WHERE corp_id = $1 AND conversation_id = $2 AND requested_at = $3::timestamptz`, [
      request.corpId,
      request.conversationId,
      request.requestedAt,
    ]);
  }
}
