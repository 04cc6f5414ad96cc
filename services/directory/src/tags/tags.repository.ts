import { ConflictError, translateUniqueViolation, Tx } from '@atrium/platform';

export interface Tag {
  id: number;
  name: string;
  userids: string[];
  departmentIds: number[];
}

interface Row {
  id: number;
  name: string;
  userids: string[] | null;
  department_ids: number[] | null;
}

const SELECT = `
  SELECT t.id, t.name,
         (SELECT array_agg(userid ORDER BY userid) FROM tag_members m WHERE m.corp_id = t.corp_id AND m.tag_id = t.id) AS userids,
         (SELECT array_agg(department_id ORDER BY department_id) FROM tag_departments d WHERE d.corp_id = t.corp_id AND d.tag_id = t.id) AS department_ids
    FROM tags t`;

const toTag = (row: Row): Tag => ({ id: row.id, name: row.name, userids: row.userids ?? [], departmentIds: row.department_ids ?? [] });

export class TagsRepository {
  async insert(tx: Tx, corpId: string, id: number | undefined, name: string): Promise<number> {
    return translateUniqueViolation(
      async () => {
        const [row] = await tx.query<{ id: number }[]>(
          `INSERT INTO tags (corp_id, id, name) VALUES ($1, coalesce($2, (SELECT coalesce(max(id), 0) + 1 FROM tags WHERE corp_id = $1)), $3) RETURNING id`,
          [corpId, id ?? null, name],
        );
        return row.id;
      },
      () => new ConflictError(`tag "${name}" or its id exists`, { field: 'name' }),
    );
  }

  async find(tx: Tx, corpId: string, id: number): Promise<Tag | undefined> {
    const [row] = await tx.query<Row[]>(`${SELECT} WHERE t.corp_id = $1 AND t.id = $2`, [corpId, id]);
    return row && toTag(row);
  }

  async list(tx: Tx, corpId: string): Promise<Tag[]> {
    return (await tx.query<Row[]>(`${SELECT} WHERE t.corp_id = $1 ORDER BY t.id`, [corpId])).map(toTag);
  }

  async replaceTargets(tx: Tx, corpId: string, id: number, userids: string[], departmentIds: number[]): Promise<void> {
    await tx.query(`DELETE FROM tag_members WHERE corp_id = $1 AND tag_id = $2`, [corpId, id]);
    await tx.query(`DELETE FROM tag_departments WHERE corp_id = $1 AND tag_id = $2`, [corpId, id]);
    if (userids.length)
      await tx.query(`INSERT INTO tag_members (corp_id, tag_id, userid) SELECT $1, $2, unnest($3::text[])`, [corpId, id, userids]);
    if (departmentIds.length) {
      await tx.query(`INSERT INTO tag_departments (corp_id, tag_id, department_id) SELECT $1, $2, unnest($3::int[])`, [
        corpId,
        id,
        departmentIds,
      ]);
    }
  }
}
