import { Tx } from '@atrium/platform';

export interface RecipientQuery {
  userids: string[];
  subtreeDepartmentIds: number[];
  directDepartmentIds: number[];
  tagIds: number[];
}

interface ResolvedRow {
  total: number;
  userids: string | null;
}

export class RecipientsRepository {
  /**
   * Distinct active members addressed by users, departments (with or without subtrees) and tags,
   * keyset-paged by userid (byte order), in one statement that answers one row: the total and the
   * page as one comma-joined string (userids never contain a comma). Subtrees come from
   * subtree_members, which holds each department's active members already (migration
   * 1700000007000). At 20,000 members, per-row work (the executor's output, the wire protocol,
   * the driver's parsing) and de-duplicating and sorting the subtree's memberships on every call
   * cost far more than reading them; see bench/README.md.
   */
  async resolve(
    tx: Tx,
    corpId: string,
    query: RecipientQuery,
    after: string,
    limit: number,
  ): Promise<{ userids: string[]; total: number }> {
    const [row] =
      query.subtreeDepartmentIds.length === 1 && !query.userids.length && !query.directDepartmentIds.length && !query.tagIds.length
        ? await this.resolveSubtree(tx, corpId, query.subtreeDepartmentIds[0], after, limit)
        : await this.resolveMix(tx, corpId, query, after, limit);
    return { userids: row?.userids ? row.userids.split(',') : [], total: row?.total ?? 0 };
  }

  /** "Everyone in Sales": one range of subtree_members' key, distinct and ordered as it lies. */
  private resolveSubtree(tx: Tx, corpId: string, departmentId: number, after: string, limit: number): Promise<ResolvedRow[]> {
    return tx.query<ResolvedRow[]>(
      `SELECT (SELECT count(*)::int FROM subtree_members WHERE corp_id = $1 AND department_id = $2) AS total,
              (SELECT string_agg(p.userid, ',') FROM (
                 SELECT userid FROM subtree_members WHERE corp_id = $1 AND department_id = $2 AND userid > $3 ORDER BY userid LIMIT $4
               ) p) AS userids`,
      [corpId, departmentId, after, limit],
    );
  }

  private resolveMix(tx: Tx, corpId: string, query: RecipientQuery, after: string, limit: number): Promise<ResolvedRow[]> {
    const parameters: unknown[] = [corpId];
    const parameter = (value: unknown) => `$${parameters.push(value)}`;
    const tags = query.tagIds.length > 0 ? parameter(query.tagIds) : undefined;
    // Only the parts the query uses, so that the planner sees each with its own statistics.
    const addressed = [
      `SELECT s.userid FROM subtree_members s WHERE s.corp_id = $1 AND s.department_id = ANY(${parameter(query.subtreeDepartmentIds)}::int[])`,
    ];
    if (query.directDepartmentIds.length > 0) {
      addressed.push(
        `SELECT md.userid FROM member_departments md
          WHERE md.corp_id = $1 AND md.department_id = ANY(${parameter(query.directDepartmentIds)}::int[])`,
      );
    }
    if (query.userids.length > 0) addressed.push(`SELECT unnest(${parameter(query.userids)}::text[])`);
    if (tags) {
      addressed.push(
        `SELECT s.userid FROM subtree_members s
          WHERE s.corp_id = $1 AND s.department_id IN (SELECT department_id FROM tag_departments WHERE corp_id = $1 AND tag_id = ANY(${tags}::int[]))`,
        `SELECT tm.userid FROM tag_members tm WHERE tm.corp_id = $1 AND tm.tag_id = ANY(${tags}::int[])`,
      );
    }
    return tx.query<ResolvedRow[]>(
      `SELECT count(*)::int AS total,
              array_to_string((array_agg(s.userid) FILTER (WHERE s.userid > ${parameter(after)}))[1:${parameter(limit)}], ',') AS userids
         FROM (
           -- Every addressed userid is a member (foreign keys; explicit userids are checked before):
           -- dropping the few inactive ones (a partial index) is far cheaper than joining all members.
           -- userids are ASCII, so byte order (COLLATE "C") is the collation's order without its
           -- cost; one sort both removes duplicates and orders the page, and the aggregate reads
           -- this subquery in its order.
           SELECT DISTINCT a.userid COLLATE "C" AS userid FROM (${addressed.join(' UNION ALL ')}) a
            WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.corp_id = $1 AND m.userid = a.userid AND m.status <> 'active')
            ORDER BY 1
         ) s`,
      parameters,
    );
  }

  async existingTags(tx: Tx, corpId: string, ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await tx.query<{ id: number }[]>(`SELECT id FROM tags WHERE corp_id = $1 AND id = ANY($2::int[])`, [corpId, ids]);
    return new Set(rows.map((r) => r.id));
  }

  async existingDepartments(tx: Tx, corpId: string, ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await tx.query<{ id: number }[]>(`SELECT id FROM departments WHERE corp_id = $1 AND id = ANY($2::int[])`, [corpId, ids]);
    return new Set(rows.map((r) => r.id));
  }

  async activeMembers(tx: Tx, corpId: string, userids: string[]): Promise<Set<string>> {
    if (userids.length === 0) return new Set();
    const rows = await tx.query<{ userid: string }[]>(
      `SELECT userid FROM members WHERE corp_id = $1 AND userid = ANY($2::text[]) AND status = 'active'`,
      [corpId, userids],
    );
    return new Set(rows.map((r) => r.userid));
  }
}
