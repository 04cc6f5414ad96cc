import { Department } from '../departments/department';
import { validateDepartmentId } from '../departments/department-rules';
import { blankMember, Member, MemberDepartment } from '../members/member';
import {
  MAX_DIRECT_LEADERS,
  validateEmail,
  validateGender,
  validateMemberDepartments,
  validateMobile,
  validateText,
  validateUserid,
} from '../members/member-rules';
import { MemberField, parseEnabled, parseGender, RowError, RowValues, splitList } from './import-formats';
import { byLine, forEachInChunks, parseIds, propagateBadRows, RowCheck } from './import-rows';

/**
 * Validation of a members CSV, without writing: every record is checked field by field with the
 * member rules the API uses, then across records (duplicates, contacts taken, direct leaders that
 * exist) against what the directory holds. The result is the list of changes to apply.
 */

export interface MemberRow {
  line: number;
  values: RowValues<MemberField>;
}

/** What validation needs from the database, loaded in bulk before it starts. */
export interface MemberImportContext {
  corpId: string;
  departments: Map<number, Department>;
  /** The members of the file that exist already. */
  existing: Map<string, Member>;
  /** mobile → userid, lower-cased email → userid, of the members holding the file's contacts. */
  mobileHolders: Map<string, string>;
  emailHolders: Map<string, string>;
  /** The direct leaders the file names who are members already. */
  knownLeaders: Set<string>;
  /** Departments outside the caller's manage_members scope. */
  denied: Set<number>;
  partial: boolean;
}

export interface MemberChange {
  line: number;
  member: Member;
  previous?: Member;
  /** Attributes that differ from the directory (API names, as MemberUpdated carries them). */
  changed: string[];
  /**
   * Rows that must be written in the same batch: a member taking over a mobile or email another
   * row of the file gives up (the two could be swapping).
   */
  group: number;
}

export interface MemberImportPlan {
  changes: MemberChange[];
  errors: RowError[];
}

/** The userids, contacts and departments a file mentions: what to load before validating. */
export function memberReferences(rows: MemberRow[]): { userids: string[]; mobiles: string[]; emails: string[]; leaders: string[] } {
  const userids = new Set<string>();
  const mobiles = new Set<string>();
  const emails = new Set<string>();
  const leaders = new Set<string>();
  for (const { values } of rows) {
    if (values.userid) userids.add(values.userid.toLowerCase());
    if (values.mobile) mobiles.add(values.mobile);
    if (values.email) emails.add(values.email.toLowerCase());
    for (const leader of splitList(values.direct_leaders ?? '')) leaders.add(leader.toLowerCase());
  }
  return { userids: [...userids], mobiles: [...mobiles], emails: [...emails], leaders: [...leaders] };
}
const sameMemberships = (a: MemberDepartment[], b: MemberDepartment[]) =>
  a.length === b.length && a.every((d) => b.some((e) => e.departmentId === d.departmentId && e.isLeader === d.isLeader));

function changedAttributes(before: Member, after: Member): string[] {
  const changed: string[] = [];
  const scalar = ['name', 'alias', 'nameEn', 'position', 'mobile', 'email', 'telephone', 'gender', 'employeeNo', 'address'] as const;
  for (const key of scalar) if (before[key] !== after[key]) changed.push(key);
  if (!sameMemberships(before.departments, after.departments)) changed.push('departments');
  if (before.mainDepartment !== after.mainDepartment) changed.push('mainDepartment');
  if (before.directLeaders.join() !== after.directLeaders.join()) changed.push('directLeaders');
  if (before.status !== after.status) changed.push('status');
  return changed;
}

/** One record on its own: the member it describes, merged over the existing one. */
interface ReadRow {
  check: RowCheck;
  userid?: string;
  member?: Member;
  previous?: Member;
}

function readMember(row: MemberRow, context: MemberImportContext): ReadRow {
  const { values } = row;
  const check = new RowCheck(row.line);
  // A bad userid does not stop the other fields being checked: the row's every error is reported.
  const userid = check.field('userid', () => validateUserid(values.userid ?? ''));
  const previous = userid === undefined ? undefined : context.existing.get(userid);
  if (previous?.status === 'offboarded') check.fail('userid', `${userid} has been offboarded; an offboarded member cannot be imported`);
  const base = previous ?? blankMember(context.corpId, userid ?? '');

  const text = (key: MemberField, current: string, rule: (value: string) => string): string => {
    const value = values[key];
    return value === undefined ? current : (check.field(key, () => rule(value)) ?? current);
  };
  const name = text('name', base.name, (v) => validateText(v, 'name', 64, true));
  const alias = text('alias', base.alias, (v) => validateText(v, 'alias', 64));
  const nameEn = text('name_en', base.nameEn, (v) => validateText(v, 'name_en', 64));
  const position = text('position', base.position, (v) => validateText(v, 'position', 128));
  const mobile = text('mobile', base.mobile, validateMobile);
  const email = text('email', base.email, validateEmail);
  const telephone = text('telephone', base.telephone, (v) => validateText(v, 'telephone', 32));
  const employeeNo = text('employee_no', base.employeeNo, (v) => validateText(v, 'employee_no', 64));
  const address = text('address', base.address, (v) => validateText(v, 'address', 128));

  let gender = base.gender;
  if (values.gender !== undefined) {
    const parsed = parseGender(values.gender);
    if (parsed === undefined) check.fail('gender', 'gender must be male, female or empty');
    else gender = check.field('gender', () => validateGender(parsed)) ?? base.gender;
  }

  let status = base.status;
  if (values.enabled) {
    const enabled = parseEnabled(values.enabled);
    if (enabled === undefined) check.fail('enabled', 'enabled must be yes, no or empty');
    else if (base.status !== 'offboarded') status = enabled ? 'active' : 'disabled';
  }

  // Memberships: existing ones keep their order among the department's members.
  const ids = parseIds(check, 'departments', splitList(values.departments ?? ''), validateDepartmentId);
  for (const id of ids) if (!context.departments.has(id)) check.fail('departments', `department ${id} does not exist`);
  const wasLeaderIn = new Set(base.departments.filter((d) => d.isLeader).map((d) => d.departmentId));
  const leaderIn =
    values.leader_in_departments === undefined
      ? ids.filter((id) => wasLeaderIn.has(id))
      : parseIds(check, 'leader_in_departments', splitList(values.leader_in_departments), validateDepartmentId);
  for (const id of leaderIn) {
    if (!ids.includes(id)) check.fail('leader_in_departments', `department ${id} is not one of the member's departments`);
  }
  const departments = ids.map((departmentId) => ({
    departmentId,
    isLeader: leaderIn.includes(departmentId),
    order: base.departments.find((d) => d.departmentId === departmentId)?.order ?? 0,
  }));
  let mainDepartment = ids.includes(base.mainDepartment) ? base.mainDepartment : 0;
  if (values.main_department !== undefined) {
    mainDepartment = 0;
    if (values.main_department !== '') {
      const [main] = parseIds(check, 'main_department', [values.main_department], validateDepartmentId);
      mainDepartment = main ?? 0;
    }
  }
  const placed = check.field('departments', () => validateMemberDepartments(departments, mainDepartment));

  let directLeaders = base.directLeaders;
  if (values.direct_leaders !== undefined) {
    const leaders = splitList(values.direct_leaders).map((l) => check.field('direct_leaders', () => validateUserid(l, 'direct_leaders')));
    directLeaders = [...new Set(leaders.filter((l): l is string => l !== undefined))];
    if (directLeaders.length > MAX_DIRECT_LEADERS) check.fail('direct_leaders', `at most ${MAX_DIRECT_LEADERS} direct leaders`);
    if (userid !== undefined && directLeaders.includes(userid)) check.fail('direct_leaders', 'a member cannot be their own direct leader');
  }

  // Checked when the file sets contacts: a member the API created without any may be re-imported as is.
  if (!mobile && !email && (!previous || previous.mobile !== mobile || previous.email !== email))
    check.fail('mobile', 'a member needs a mobile or an email');

  const member: Member | undefined =
    placed && userid !== undefined
      ? {
          ...base,
          name,
          alias,
          nameEn,
          position,
          mobile,
          email,
          telephone,
          gender,
          employeeNo,
          address,
          status,
          departments: placed.departments,
          mainDepartment: placed.mainDepartment,
          directLeaders,
        }
      : undefined;
  // The caller must govern every department the member leaves, stays in or joins, unless the row
  // changes nothing (a sub-admin may re-import their own export).
  if (!previous || !member || changedAttributes(previous, member).length > 0) {
    const denied = [...new Set([...base.departments.map((d) => d.departmentId), ...ids])].find((id) => context.denied.has(id));
    if (denied !== undefined) {
      const department = context.departments.get(denied);
      check.fail('departments', `department "${department?.name ?? denied}" (${denied}) is outside your administrative scope`);
    }
  }
  return { check, userid, previous, member: check.ok ? member : undefined };
}

/** Union-find over row indexes: rows that must share a batch. */
class Groups {
  private readonly parent: number[];
  constructor(size: number) {
    this.parent = Array.from({ length: size }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  join(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}

export async function planMemberImport(
  rows: MemberRow[],
  context: MemberImportContext,
  onProgress: (checked: number) => Promise<void>,
): Promise<MemberImportPlan> {
  const read: ReadRow[] = [];
  await forEachInChunks(rows, 5_000, (row) => read.push(readMember(row, context)), onProgress);

  const errors: RowError[] = read.flatMap((r) => r.check.errors);
  const bad = read.map((r) => r.member === undefined);
  const lineOf = (i: number) => rows[i].line;
  const dependencies: { row: number; on: number; field: string; what: string }[] = [];
  const groups = new Groups(rows.length);

  const rowOfUserid = new Map<string, number>();
  read.forEach(({ userid }, i) => {
    if (userid === undefined) return;
    const first = rowOfUserid.get(userid);
    if (first === undefined) rowOfUserid.set(userid, i);
    else {
      bad[i] = true;
      errors.push({ line: lineOf(i), field: 'userid', reason: `userid ${userid} is also on line ${lineOf(first)}` });
    }
  });
  const memberAt = (i: number | undefined) => (i === undefined ? undefined : read[i].member);

  // Contacts are unique in the state after the import: taken from a member who keeps them is a
  // conflict; taken from a member of the file who changes theirs is a dependency on that row.
  const claim = (field: 'mobile' | 'email', key: (m: Member) => string, holders: Map<string, string>) => {
    const claimed = new Map<string, number>();
    read.forEach(({ member }, i) => {
      if (!member || bad[i] || key(member) === '') return;
      const value = key(member);
      const first = claimed.get(value);
      if (first !== undefined) {
        bad[i] = true;
        errors.push({ line: lineOf(i), field, reason: `${field} ${member[field]} is also on line ${lineOf(first)}` });
        return;
      }
      claimed.set(value, i);
      const holder = holders.get(value);
      if (holder === undefined || holder === member.userid) return;
      const holderRow = rowOfUserid.get(holder);
      const holderAfter = memberAt(holderRow);
      if (holderRow !== undefined && holderAfter && key(holderAfter) !== value) {
        dependencies.push({ row: i, on: holderRow, field, what: `${holder}, who gives up ${field} ${member[field]},` });
        groups.join(i, holderRow);
      } else {
        bad[i] = true;
        errors.push({ line: lineOf(i), field, reason: `${field} ${member[field]} belongs to member ${holder}` });
      }
    });
  };
  claim('mobile', (m) => m.mobile, context.mobileHolders);
  claim('email', (m) => m.email.toLowerCase(), context.emailHolders);

  read.forEach(({ member }, i) => {
    if (!member || bad[i]) return;
    for (const leader of member.directLeaders) {
      if (context.knownLeaders.has(leader)) continue;
      const leaderRow = rowOfUserid.get(leader);
      if (leaderRow !== undefined) {
        dependencies.push({ row: i, on: leaderRow, field: 'direct_leaders', what: `direct leader ${leader}` });
      } else {
        bad[i] = true;
        errors.push({ line: lineOf(i), field: 'direct_leaders', reason: `direct leader ${leader} is neither a member nor in this file` });
      }
    }
  });

  if (context.partial) errors.push(...propagateBadRows(dependencies, bad, lineOf));
  errors.sort(byLine);
  const changes: MemberChange[] = [];
  read.forEach(({ member, previous }, i) => {
    if (!member || bad[i]) return;
    const changed = previous ? changedAttributes(previous, member) : [];
    changes.push({ line: lineOf(i), member, previous, changed, group: groups.find(i) });
  });
  return { changes, errors };
}
