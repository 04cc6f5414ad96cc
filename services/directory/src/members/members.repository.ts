import { ConflictError, queryReturning, translateUniqueViolation, Tx, UniqueViolation } from '@atrium/platform';
import { ExtAttr, Member, MemberDepartment, MemberStatus } from './member';

interface Row {
  corp_id: string;
  userid: string;
  name: string;
  status: MemberStatus;
  roles: string[];
  alias: string;
  name_en: string;
  position: string;
  mobile: string;
  email: string;
  telephone: string;
  gender: number;
  avatar: string;
  employee_no: string;
  address: string;
  extattrs: (Omit<ExtAttr, 'title'> & { title?: string })[];
  main_department: number;
  direct_leaders: string[];
  password_hash: string | null;
  departments: { department_id: number; is_leader: boolean; sort_order: number }[] | null;
}

const SELECT = `
  SELECT m.*,
         (SELECT json_agg(json_build_object('department_id', md.department_id, 'is_leader', md.is_leader, 'sort_order', md.sort_order) ORDER BY md.department_id)
            FROM member_departments md WHERE md.corp_id = m.corp_id AND md.userid = m.userid) AS departments
    FROM members m`;

export const toMember = (row: Row): Member => ({
  corpId: row.corp_id,
  userid: row.userid,
  name: row.name,
  status: row.status,
  roles: row.roles,
  alias: row.alias,
  nameEn: row.name_en,
  position: row.position,
  mobile: row.mobile,
  email: row.email,
  telephone: row.telephone,
  gender: row.gender,
  avatar: row.avatar,
  employeeNo: row.employee_no,
  address: row.address,
  // Values stored before titles existed have none.
  extattrs: row.extattrs.map((a) => ({ name: a.name, type: a.type, value: a.value, title: a.title ?? '' })),
  mainDepartment: row.main_department,
  directLeaders: row.direct_leaders,
  passwordHash: row.password_hash,
  departments: (row.departments ?? []).map((d) => ({ departmentId: d.department_id, isLeader: d.is_leader, order: Number(d.sort_order) })),
});

const conflictFor =
  (member: Member) =>
  ({ constraint }: UniqueViolation): ConflictError => {
    if (constraint === 'members_mobile') return new ConflictError(`mobile ${member.mobile} belongs to another member`, { field: 'mobile' });
    if (constraint === 'members_email') return new ConflictError(`email ${member.email} belongs to another member`, { field: 'email' });
    return new ConflictError(`userid "${member.userid}" is taken`, { field: 'userid' });
  };

/** The member's columns in the order the INSERT and UPDATE below number them ($1…$19). */
const memberParameters = (m: Member): unknown[] => [
  m.corpId,
  m.userid,
  m.name,
  m.passwordHash,
  m.status,
  m.roles,
  m.mainDepartment,
  m.alias,
  m.nameEn,
  m.position,
  m.mobile,
  m.email,
  m.telephone,
  m.gender,
  m.avatar,
  m.employeeNo,
  m.address,
  JSON.stringify(m.extattrs),
  m.directLeaders,
];

/** Every query is scoped by corp: no method reads across tenants. */
export class MembersRepository {
  async insert(tx: Tx, member: Member): Promise<void> {
    await translateUniqueViolation(
      () =>
        tx.query(
          `INSERT INTO members (corp_id, userid, name, password_hash, status, roles, main_department, alias, name_en, position, mobile, email,
                                telephone, gender, avatar, employee_no, address, extattrs, direct_leaders)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
          memberParameters(member),
        ),
      conflictFor(member),
    );
    await this.replaceDepartments(tx, member.corpId, member.userid, member.departments);
  }

  async update(tx: Tx, member: Member): Promise<void> {
    await translateUniqueViolation(
      () =>
        tx.query(
          `UPDATE members SET name = $3, password_hash = $4, status = $5, roles = $6, main_department = $7, alias = $8, name_en = $9, position = $10,
                  mobile = $11, email = $12, telephone = $13, gender = $14, avatar = $15, employee_no = $16, address = $17, extattrs = $18,
                  direct_leaders = $19, updated_at = now()
            WHERE corp_id = $1 AND userid = $2`,
          memberParameters(member),
        ),
      conflictFor(member),
    );
  }

  async replaceDepartments(tx: Tx, corpId: string, userid: string, departments: MemberDepartment[]): Promise<void> {
    await tx.query(`DELETE FROM member_departments WHERE corp_id = $1 AND userid = $2`, [corpId, userid]);
    if (departments.length === 0) return;
    await tx.query(
      `INSERT INTO member_departments (corp_id, userid, department_id, is_leader, sort_order)
       SELECT $1, $2, d.id, d.leader, d.ord FROM unnest($3::int[], $4::bool[], $5::bigint[]) AS d(id, leader, ord)`,
      [corpId, userid, departments.map((d) => d.departmentId), departments.map((d) => d.isLeader), departments.map((d) => d.order)],
    );
  }

  async find(tx: Tx, corpId: string, userid: string): Promise<Member | undefined> {
    const [row] = await tx.query<Row[]>(`${SELECT} WHERE m.corp_id = $1 AND m.userid = lower($2)`, [corpId, userid]);
    return row && toMember(row);
  }

  async findMany(tx: Tx, corpId: string, userids: string[]): Promise<Member[]> {
    if (userids.length === 0) return [];
    const rows = await tx.query<Row[]>(`${SELECT} WHERE m.corp_id = $1 AND m.userid = ANY($2::text[]) ORDER BY m.userid`, [
      corpId,
      userids.map((u) => u.toLowerCase()),
    ]);
    return rows.map(toMember);
  }

  /** Members of a department (or of its subtree), keyset-paged by userid. */
  async listByDepartment(
    tx: Tx,
    corpId: string,
    departmentId: number,
    recursive: boolean,
    after: string,
    limit: number,
  ): Promise<Member[]> {
    const departmentFilter = recursive
      ? `md.department_id IN (SELECT id FROM departments d WHERE d.corp_id = $1 AND d.path @> ARRAY[$2::int])`
      : `md.department_id = $2`;
    const rows = await tx.query<Row[]>(
      `${SELECT} WHERE m.corp_id = $1 AND m.userid > $3
          AND EXISTS (SELECT 1 FROM member_departments md WHERE md.corp_id = m.corp_id AND md.userid = m.userid AND ${departmentFilter})
        ORDER BY m.userid LIMIT $4`,
      [corpId, departmentId, after, limit],
    );
    return rows.map(toMember);
  }

  async delete(tx: Tx, corpId: string, userids: string[]): Promise<string[]> {
    const rows = await queryReturning<{ userid: string }>(
      tx,
      `DELETE FROM members WHERE corp_id = $1 AND userid = ANY($2::text[]) RETURNING userid`,
      [corpId, userids],
    );
    return rows.map((r) => r.userid);
  }

  async existing(tx: Tx, corpId: string, userids: string[]): Promise<Set<string>> {
    if (userids.length === 0) return new Set();
    const rows = await tx.query<{ userid: string }[]>(`SELECT userid FROM members WHERE corp_id = $1 AND userid = ANY($2::text[])`, [
      corpId,
      userids,
    ]);
    return new Set(rows.map((r) => r.userid));
  }

  /** Members who name this one as a direct leader. */
  async reportsOf(tx: Tx, corpId: string, userid: string): Promise<string[]> {
    const rows = await tx.query<{ userid: string }[]>(
      `SELECT userid FROM members WHERE corp_id = $1 AND direct_leaders @> ARRAY[$2::text]`,
      [corpId, userid],
    );
    return rows.map((r) => r.userid);
  }

  async replaceDirectLeader(tx: Tx, corpId: string, from: string, to: string): Promise<number> {
    const rows = await queryReturning<unknown>(
      tx,
      `UPDATE members SET direct_leaders = (SELECT array_agg(DISTINCT x) FROM unnest(array_replace(direct_leaders, $2, $3)) AS x), updated_at = now()
        WHERE corp_id = $1 AND direct_leaders @> ARRAY[$2::text] AND userid <> $3 RETURNING userid`,
      [corpId, from, to],
    );
    return rows.length;
  }

  async directLeadersOf(tx: Tx, corpId: string, userids: string[]): Promise<Map<string, string[]>> {
    const rows = await tx.query<{ userid: string; direct_leaders: string[] }[]>(
      `SELECT userid, direct_leaders FROM members WHERE corp_id = $1 AND userid = ANY($2::text[])`,
      [corpId, userids],
    );
    return new Map(rows.map((r) => [r.userid, r.direct_leaders]));
  }
}
