import { Tx } from '@atrium/platform';
import { Department } from '../departments/department';
import { Member } from '../members/member';
import { toMember } from '../members/members.repository';

/**
 * The set-at-a-time reads and writes of bulk import and export: one statement per batch of
 * rows (unnest of column arrays), never one round trip per member. Every query is corp-scoped.
 */

/** A PostgreSQL array literal of strings, for a text[] inside an unnest of text (arrays of arrays flatten). */
function textArrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

const intArrayLiteral = (items: readonly number[]): string => `{${items.join(',')}}`;

export class DirectoryBulkRepository {
  /** Members with these userids, memberships included, in two queries whatever their number. */
  async membersByUserids(tx: Tx, corpId: string, userids: string[]): Promise<Map<string, Member>> {
    const members = new Map<string, Member>();
    if (userids.length === 0) return members;
    const rows = await tx.query<Parameters<typeof toMember>[0][]>(
      `SELECT m.* FROM members m WHERE m.corp_id = $1 AND m.userid = ANY($2::text[])`,
      [corpId, userids],
    );
    for (const row of rows) members.set(row.userid, toMember({ ...row, departments: [] }));
    await this.attachDepartments(tx, corpId, members, userids);
    return members;
  }

  /** Every member not offboarded, by userid, memberships included: what an export lists. */
  async currentMembers(tx: Tx, corpId: string): Promise<Member[]> {
    const rows = await tx.query<Parameters<typeof toMember>[0][]>(
      `SELECT m.* FROM members m WHERE m.corp_id = $1 AND m.status <> 'offboarded' ORDER BY m.userid`,
      [corpId],
    );
    const members = new Map(rows.map((row) => [row.userid, toMember({ ...row, departments: [] })]));
    await this.attachDepartments(tx, corpId, members);
    return [...members.values()];
  }

  private async attachDepartments(tx: Tx, corpId: string, members: Map<string, Member>, userids?: string[]): Promise<void> {
    if (members.size === 0) return;
    const rows = await tx.query<{ userid: string; department_id: number; is_leader: boolean; sort_order: string }[]>(
      `SELECT userid, department_id, is_leader, sort_order FROM member_departments
        WHERE corp_id = $1 ${userids ? 'AND userid = ANY($2::text[])' : ''} ORDER BY userid, department_id`,
      userids ? [corpId, userids] : [corpId],
    );
    for (const row of rows) {
      members
        .get(row.userid)
        ?.departments.push({ departmentId: row.department_id, isLeader: row.is_leader, order: Number(row.sort_order) });
    }
  }

  /** mobile → userid of the members holding these mobiles. */
  async mobileHolders(tx: Tx, corpId: string, mobiles: string[]): Promise<Map<string, string>> {
    if (mobiles.length === 0) return new Map();
    const rows = await tx.query<{ userid: string; mobile: string }[]>(
      `SELECT userid, mobile FROM members WHERE corp_id = $1 AND mobile <> '' AND mobile = ANY($2::text[])`,
      [corpId, mobiles],
    );
    return new Map(rows.map((r) => [r.mobile, r.userid]));
  }

  /** lower-cased email → userid of the members holding these emails. */
  async emailHolders(tx: Tx, corpId: string, lowerCasedEmails: string[]): Promise<Map<string, string>> {
    if (lowerCasedEmails.length === 0) return new Map();
    const rows = await tx.query<{ userid: string; email: string }[]>(
      `SELECT userid, lower(email) AS email FROM members WHERE corp_id = $1 AND email <> '' AND lower(email) = ANY($2::text[])`,
      [corpId, lowerCasedEmails],
    );
    return new Map(rows.map((r) => [r.email, r.userid]));
  }

  /**
   * Gives up these members' mobiles and emails before a batch takes them over: the unique
   * indexes are checked row by row, so two members swapping mobiles would otherwise collide
   * half-way. Validation has already checked that the final state is unique.
   */
  async releaseContacts(tx: Tx, corpId: string, releases: { userid: string; mobile: boolean; email: boolean }[]): Promise<void> {
    if (releases.length === 0) return;
    await tx.query(
      `UPDATE members m SET mobile = CASE WHEN r.mobile THEN '' ELSE m.mobile END, email = CASE WHEN r.email THEN '' ELSE m.email END
         FROM unnest($2::text[], $3::bool[], $4::bool[]) AS r(userid, mobile, email)
        WHERE m.corp_id = $1 AND m.userid = r.userid`,
      [corpId, releases.map((r) => r.userid), releases.map((r) => r.mobile), releases.map((r) => r.email)],
    );
  }

  /**
   * Inserts new members and updates existing ones with the attributes a CSV carries. Password,
   * roles, avatar and extended attributes are left as they are (new members get none).
   */
  async upsertMembers(tx: Tx, corpId: string, members: Member[]): Promise<void> {
    if (members.length === 0) return;
    const column = <T>(pick: (m: Member) => T) => members.map(pick);
    await tx.query(
      `INSERT INTO members (corp_id, userid, name, status, main_department, alias, name_en, position, mobile, email, telephone, gender,
                            employee_no, address, direct_leaders)
       SELECT $1, u.userid, u.name, u.status, u.main_department, u.alias, u.name_en, u.position, u.mobile, u.email, u.telephone, u.gender,
              u.employee_no, u.address, u.direct_leaders::text[]
         FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                     $12::smallint[], $13::text[], $14::text[], $15::text[])
              AS u(userid, name, status, main_department, alias, name_en, position, mobile, email, telephone, gender, employee_no, address,
                   direct_leaders)
       ON CONFLICT (corp_id, userid) DO UPDATE
          SET name = EXCLUDED.name, status = EXCLUDED.status, main_department = EXCLUDED.main_department, alias = EXCLUDED.alias,
              name_en = EXCLUDED.name_en, position = EXCLUDED.position, mobile = EXCLUDED.mobile, email = EXCLUDED.email,
              telephone = EXCLUDED.telephone, gender = EXCLUDED.gender, employee_no = EXCLUDED.employee_no, address = EXCLUDED.address,
              direct_leaders = EXCLUDED.direct_leaders, updated_at = now()`,
      [
        corpId,
        column((m) => m.userid),
        column((m) => m.name),
        column((m) => m.status),
        column((m) => m.mainDepartment),
        column((m) => m.alias),
        column((m) => m.nameEn),
        column((m) => m.position),
        column((m) => m.mobile),
        column((m) => m.email),
        column((m) => m.telephone),
        column((m) => m.gender),
        column((m) => m.employeeNo),
        column((m) => m.address),
        column((m) => textArrayLiteral(m.directLeaders)),
      ],
    );
  }

  /** Replaces the memberships of these members (of whom `existing` may already have some). */
  async replaceMemberships(tx: Tx, corpId: string, members: Member[], existing: string[]): Promise<void> {
    if (existing.length > 0) {
      await tx.query(`DELETE FROM member_departments WHERE corp_id = $1 AND userid = ANY($2::text[])`, [corpId, existing]);
    }
    const rows = members.flatMap((m) => m.departments.map((d) => ({ userid: m.userid, ...d })));
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO member_departments (corp_id, userid, department_id, is_leader, sort_order)
       SELECT $1, u.userid, u.department_id, u.is_leader, u.sort_order FROM unnest($2::text[], $3::int[], $4::bool[], $5::bigint[])
              AS u(userid, department_id, is_leader, sort_order)`,
      [corpId, rows.map((r) => r.userid), rows.map((r) => r.departmentId), rows.map((r) => r.isLeader), rows.map((r) => r.order)],
    );
  }

  /** Deletes these members; their memberships and search terms go with them (foreign keys cascade). */
  async deleteMembers(tx: Tx, corpId: string, userids: string[]): Promise<void> {
    if (userids.length === 0) return;
    await tx.query(`DELETE FROM members WHERE corp_id = $1 AND userid = ANY($2::text[])`, [corpId, userids]);
  }

  /**
   * Parks these departments under names no real department can have (":" is forbidden in names)
   * before the upsert gives them their final names and parents: the sibling-name index is checked
   * row by row, so a rename or move into a name another department is giving up would collide.
   */
  async parkNames(tx: Tx, corpId: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`UPDATE departments SET name = 'import:' || id WHERE corp_id = $1 AND id = ANY($2::int[])`, [corpId, ids]);
  }

  async upsertDepartments(tx: Tx, corpId: string, departments: Department[]): Promise<void> {
    if (departments.length === 0) return;
    await tx.query(
      `INSERT INTO departments (corp_id, id, parent_id, name, name_en, sort_order, path)
       SELECT $1, u.id, nullif(u.parent_id, 0), u.name, u.name_en, u.sort_order, u.path::int[]
         FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::text[]) AS u(id, parent_id, name, name_en, sort_order, path)
       ON CONFLICT (corp_id, id) DO UPDATE
          SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name, name_en = EXCLUDED.name_en, sort_order = EXCLUDED.sort_order,
              path = EXCLUDED.path, updated_at = now()`,
      [
        corpId,
        departments.map((d) => d.id),
        departments.map((d) => d.parentId),
        departments.map((d) => d.name),
        departments.map((d) => d.nameEn),
        departments.map((d) => d.order),
        departments.map((d) => intArrayLiteral(d.path)),
      ],
    );
  }

  /** Rewrites materialised paths (the subtrees of moved departments). */
  async setPaths(tx: Tx, corpId: string, paths: { id: number; path: number[] }[]): Promise<void> {
    if (paths.length === 0) return;
    await tx.query(
      `UPDATE departments d SET path = u.path::int[], updated_at = now()
         FROM unnest($2::int[], $3::text[]) AS u(id, path)
        WHERE d.corp_id = $1 AND d.id = u.id`,
      [corpId, paths.map((p) => p.id), paths.map((p) => intArrayLiteral(p.path))],
    );
  }

  async replaceLeaders(tx: Tx, corpId: string, departments: { id: number; leaders: string[] }[]): Promise<void> {
    if (departments.length === 0) return;
    await tx.query(`DELETE FROM department_leaders WHERE corp_id = $1 AND department_id = ANY($2::int[])`, [
      corpId,
      departments.map((d) => d.id),
    ]);
    const rows = departments.flatMap((d) => d.leaders.map((userid) => ({ id: d.id, userid })));
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO department_leaders (corp_id, department_id, userid) SELECT $1, u.id, u.userid FROM unnest($2::int[], $3::text[]) AS u(id, userid)`,
      [corpId, rows.map((r) => r.id), rows.map((r) => r.userid)],
    );
  }
}
