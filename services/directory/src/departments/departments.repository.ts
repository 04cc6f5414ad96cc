import { ConflictError, translateUniqueViolation, Tx } from '@atrium/platform';
import { Department } from './department';

interface Row {
  id: number;
  parent_id: number | null;
  name: string;
  name_en: string;
  sort_order: string;
  path: number[];
  leaders: string[] | null;
}

const SELECT = `
  SELECT d.id, d.parent_id, d.name, d.name_en, d.sort_order, d.path,
         (SELECT array_agg(l.userid ORDER BY l.userid) FROM department_leaders l WHERE l.corp_id = d.corp_id AND l.department_id = d.id) AS leaders
    FROM departments d`;

const toDepartment = (corpId: string, row: Row): Department => ({
  corpId,
  id: row.id,
  parentId: row.parent_id ?? 0,
  name: row.name,
  nameEn: row.name_en,
  order: Number(row.sort_order),
  path: row.path,
  leaders: row.leaders ?? [],
});

const siblingNameTaken =
  (message: string, field: string) =>
  ({ constraint }: { constraint: string }): ConflictError | undefined =>
    constraint === 'departments_sibling_name' ? new ConflictError(message, { field }) : undefined;

export class DepartmentsRepository {
  /** Serialises structural changes of one corp's tree: cycle and depth checks see a stable tree. */
  async lockTree(tx: Tx, corpId: string): Promise<void> {
    await tx.query(`SELECT 1 FROM corps WHERE id = $1 FOR UPDATE`, [corpId]);
  }

  async find(tx: Tx, corpId: string, id: number): Promise<Department | undefined> {
    const [row] = await tx.query<Row[]>(`${SELECT} WHERE d.corp_id = $1 AND d.id = $2`, [corpId, id]);
    return row && toDepartment(corpId, row);
  }

  async findMany(tx: Tx, corpId: string, ids: number[]): Promise<Department[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<Row[]>(`${SELECT} WHERE d.corp_id = $1 AND d.id = ANY($2::int[])`, [corpId, ids]);
    return rows.map((row) => toDepartment(corpId, row));
  }

  /** The department and its whole subtree, parents before children, siblings by order. */
  async subtree(tx: Tx, corpId: string, id: number): Promise<Department[]> {
    const rows = await tx.query<Row[]>(
      `${SELECT} WHERE d.corp_id = $1 AND d.path @> ARRAY[$2::int] ORDER BY array_length(d.path, 1), d.sort_order DESC, d.id`,
      [corpId, id],
    );
    return rows.map((row) => toDepartment(corpId, row));
  }

  async children(tx: Tx, corpId: string, parentId: number): Promise<Department[]> {
    const rows = await tx.query<Row[]>(`${SELECT} WHERE d.corp_id = $1 AND d.parent_id = $2 ORDER BY d.sort_order DESC, d.id`, [
      corpId,
      parentId,
    ]);
    return rows.map((row) => toDepartment(corpId, row));
  }

  async count(tx: Tx, corpId: string): Promise<number> {
    const [{ n }] = await tx.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM departments WHERE corp_id = $1`, [corpId]);
    return n;
  }

  async nextId(tx: Tx, corpId: string): Promise<number> {
    const [{ next }] = await tx.query<{ next: number }[]>(`SELECT coalesce(max(id), 1) + 1 AS next FROM departments WHERE corp_id = $1`, [
      corpId,
    ]);
    return next;
  }

  /** How many levels the subtree under a department spans, itself counted. */
  async subtreeHeight(tx: Tx, corpId: string, department: Department): Promise<number> {
    const [{ deepest }] = await tx.query<{ deepest: number }[]>(
      `SELECT max(array_length(path, 1))::int AS deepest FROM departments WHERE corp_id = $1 AND path @> ARRAY[$2::int]`,
      [corpId, department.id],
    );
    return deepest - department.path.length + 1;
  }

  async insert(tx: Tx, department: Department): Promise<void> {
    await translateUniqueViolation(
      () =>
        tx.query(`INSERT INTO departments (corp_id, id, parent_id, name, name_en, sort_order, path) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
          department.corpId,
          department.id,
          department.parentId || null,
          department.name,
          department.nameEn,
          department.order,
          department.path,
        ]),
      (violation) =>
        violation.constraint === 'departments_pkey'
          ? new ConflictError(`department id ${department.id} is taken`, { field: 'id' })
          : siblingNameTaken(`a sibling department is already named "${department.name}"`, 'name')(violation),
    );
  }

  async updateAttributes(tx: Tx, department: Department): Promise<void> {
    await translateUniqueViolation(
      () =>
        tx.query(`UPDATE departments SET name = $3, name_en = $4, sort_order = $5, updated_at = now() WHERE corp_id = $1 AND id = $2`, [
          department.corpId,
          department.id,
          department.name,
          department.nameEn,
          department.order,
        ]),
      siblingNameTaken(`a sibling department is already named "${department.name}"`, 'name'),
    );
  }

  /** Re-parents a department and rewrites the path prefix of its whole subtree in one statement. */
  async reparent(tx: Tx, corpId: string, department: Department, newParent: Department): Promise<void> {
    const oldDepth = department.path.length;
    await translateUniqueViolation(
      () =>
        tx.query(`UPDATE departments SET parent_id = $3, updated_at = now() WHERE corp_id = $1 AND id = $2`, [
          corpId,
          department.id,
          newParent.id,
        ]),
      siblingNameTaken(`a department named "${department.name}" already exists under the new parent`, 'parent_id'),
    );
    await tx.query(
      `UPDATE departments SET path = $3::int[] || path[$4:array_length(path, 1)]
        WHERE corp_id = $1 AND path @> ARRAY[$2::int]`,
      [corpId, department.id, newParent.path, oldDepth],
    );
  }

  async setOrders(tx: Tx, corpId: string, orders: { id: number; order: number }[]): Promise<void> {
    if (orders.length === 0) return;
    await tx.query(
      `UPDATE departments d SET sort_order = o.sort_order, updated_at = now()
         FROM unnest($2::int[], $3::bigint[]) AS o(id, sort_order)
        WHERE d.corp_id = $1 AND d.id = o.id`,
      [corpId, orders.map((o) => o.id), orders.map((o) => o.order)],
    );
  }

  async setLeaders(tx: Tx, corpId: string, departmentId: number, leaders: string[]): Promise<void> {
    await tx.query(`DELETE FROM department_leaders WHERE corp_id = $1 AND department_id = $2`, [corpId, departmentId]);
    if (leaders.length > 0) {
      await tx.query(`INSERT INTO department_leaders (corp_id, department_id, userid) SELECT $1, $2, unnest($3::text[])`, [
        corpId,
        departmentId,
        leaders,
      ]);
    }
  }

  async hasMembers(tx: Tx, corpId: string, id: number): Promise<boolean> {
    const rows = await tx.query<unknown[]>(`SELECT 1 FROM member_departments WHERE corp_id = $1 AND department_id = $2 LIMIT 1`, [
      corpId,
      id,
    ]);
    return rows.length > 0;
  }

  async delete(tx: Tx, corpId: string, id: number): Promise<void> {
    await tx.query(`DELETE FROM departments WHERE corp_id = $1 AND id = $2`, [corpId, id]);
  }
}
