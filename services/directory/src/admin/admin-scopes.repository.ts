import { queryReturning, Tx } from '@atrium/platform';
import { AdminScope, Permission } from './admin-scope';

interface Row {
  userid: string;
  role: AdminScope['role'];
  department_ids: number[];
  permissions: Permission[];
}

const toScope = (row: Row): AdminScope => ({
  userid: row.userid,
  role: row.role,
  departmentIds: row.department_ids,
  permissions: row.permissions,
});

export class AdminScopesRepository {
  async find(tx: Tx, corpId: string, userid: string): Promise<AdminScope | undefined> {
    const [row] = await tx.query<Row[]>(
      `SELECT userid, role, department_ids, permissions FROM admin_scopes WHERE corp_id = $1 AND userid = $2`,
      [corpId, userid],
    );
    return row && toScope(row);
  }

  async list(tx: Tx, corpId: string): Promise<AdminScope[]> {
    const rows = await tx.query<Row[]>(
      `SELECT userid, role, department_ids, permissions FROM admin_scopes WHERE corp_id = $1 ORDER BY userid`,
      [corpId],
    );
    return rows.map(toScope);
  }

  async upsert(tx: Tx, corpId: string, scope: AdminScope): Promise<void> {
    await tx.query(
      `INSERT INTO admin_scopes (corp_id, userid, role, department_ids, permissions) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (corp_id, userid) DO UPDATE SET role = EXCLUDED.role, department_ids = EXCLUDED.department_ids,
         permissions = EXCLUDED.permissions, updated_at = now()`,
      [corpId, scope.userid, scope.role, scope.departmentIds, scope.permissions],
    );
  }

  async remove(tx: Tx, corpId: string, userid: string): Promise<boolean> {
    const rows = await queryReturning<unknown>(tx, `DELETE FROM admin_scopes WHERE corp_id = $1 AND userid = $2 RETURNING userid`, [
      corpId,
      userid,
    ]);
    return rows.length > 0;
  }

  async countSuperAdmins(tx: Tx, corpId: string): Promise<number> {
    const [{ n }] = await tx.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM admin_scopes WHERE corp_id = $1 AND role = 'super_admin'`,
      [corpId],
    );
    return n;
  }
}
