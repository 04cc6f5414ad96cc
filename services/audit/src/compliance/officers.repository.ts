import { Injectable } from '@nestjs/common';
import { queryReturning, Tx } from '@atrium/platform';
import { Queryable } from '../queryable';

export interface OfficerGrant {
  userid: string;
  departmentIds: number[];
  grantedBy: string;
  grantedAt: Date;
}

interface GrantRow {
  userid: string;
  department_ids: string[];
  granted_by: string;
  granted_at: Date;
}

const toGrant = (r: GrantRow): OfficerGrant => ({
  userid: r.userid,
  departmentIds: r.department_ids.map(Number),
  grantedBy: r.granted_by,
  grantedAt: r.granted_at,
});

@Injectable()
export class OfficersRepository {
  async find(db: Queryable, corpId: string, userid: string): Promise<OfficerGrant | undefined> {
    const rows = await db.query<GrantRow[]>(
      `SELECT userid, department_ids::text[] AS department_ids, granted_by, granted_at FROM audit_officer_grants WHERE corp_id = $1 AND userid = $2`,
      [corpId, userid],
    );
    return rows[0] && toGrant(rows[0]);
  }

  async upsert(tx: Tx, corpId: string, grant: Omit<OfficerGrant, 'grantedAt'>): Promise<OfficerGrant> {
    const [row] = await tx.query<GrantRow[]>(
      `INSERT INTO audit_officer_grants (corp_id, userid, department_ids, granted_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (corp_id, userid) DO UPDATE SET department_ids = $3, granted_by = $4, granted_at = now()
       RETURNING userid, department_ids::text[] AS department_ids, granted_by, granted_at`,
      [corpId, grant.userid, grant.departmentIds, grant.grantedBy],
    );
    return toGrant(row);
  }

  async remove(tx: Tx, corpId: string, userid: string): Promise<boolean> {
    const rows = await queryReturning<{ userid: string }>(
      tx,
      `DELETE FROM audit_officer_grants WHERE corp_id = $1 AND userid = $2 RETURNING userid`,
      [corpId, userid],
    );
    return rows.length > 0;
  }

  async list(db: Queryable, corpId: string): Promise<OfficerGrant[]> {
    const rows = await db.query<GrantRow[]>(
      `SELECT userid, department_ids::text[] AS department_ids, granted_by, granted_at FROM audit_officer_grants WHERE corp_id = $1 ORDER BY userid`,
      [corpId],
    );
    return rows.map(toGrant);
  }
}
