import { Tx } from '@atrium/platform';

export interface RecipientQuery {
  userids: string[];
  subtreeDepartmentIds: number[];
  directDepartmentIds: number[];
  tagIds: number[];
}

export class RecipientsRepository {
  /**
   * Distinct active members addressed by users, departments (with or without subtrees) and tags,
   * keyset-paged by userid. One statement: the subtree test is a GIN lookup on department paths.
   */
  async resolve(
    tx: Tx,
    corpId: string,
    query: RecipientQuery,
    after: string,
    limit: number,
  ): Promise<{ userids: string[]; total: number }> {
    const rows = await tx.query<{ userid: string; total: number }[]>(
      `WITH tag_departments_ AS (
         SELECT department_id FROM tag_departments WHERE corp_id = $1 AND tag_id = ANY($5::int[])
       ), roots AS (
         SELECT unnest($3::int[]) AS id UNION SELECT department_id FROM tag_departments_
       ), departments_ AS (
         SELECT d.id FROM departments d WHERE d.corp_id = $1 AND d.path && (SELECT coalesce(array_agg(id), '{}') FROM roots)
         UNION SELECT unnest($4::int[])
       ), addressed AS (
         SELECT md.userid FROM member_departments md WHERE md.corp_id = $1 AND md.department_id IN (SELECT id FROM departments_)
         UNION SELECT unnest($2::text[])
         UNION SELECT tm.userid FROM tag_members tm WHERE tm.corp_id = $1 AND tm.tag_id = ANY($5::int[])
       ), active AS (
         -- Every addressed userid is a member (foreign keys; explicit userids are checked before):
         -- dropping the few inactive ones (a partial index) is far cheaper than joining all members.
         SELECT a.userid FROM addressed a
          WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.corp_id = $1 AND m.userid = a.userid AND m.status <> 'active')
       )
       -- userids are ASCII: byte order is the collation's order, without its cost.
       SELECT userid, (SELECT count(*)::int FROM active) AS total FROM active
        WHERE userid COLLATE "C" > $6 ORDER BY userid COLLATE "C" LIMIT $7`,
      [corpId, query.userids, query.subtreeDepartmentIds, query.directDepartmentIds, query.tagIds, after, limit],
    );
    return { userids: rows.map((r) => r.userid), total: rows[0]?.total ?? 0 };
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
