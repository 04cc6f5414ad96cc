import { ValidationError } from '@atrium/platform';
import { Department } from '../departments/department';
import { Member } from '../members/member';

/**
 * The CSV layouts of the directory import and export: one header row, then one record per member
 * or department. Headers are matched case- and punctuation-insensitively, in any order, either as
 * written below ("English Name") or as the field key ("name_en"); a column nobody knows is refused
 * rather than ignored, because a typo would otherwise drop that column's data silently. Row errors
 * name a field by its key.
 *
 * Members (upsert by User ID; passwords and avatars are never imported):
 *
 *   User ID, Name, Alias, English Name, Position, Mobile, Email, Telephone, Gender, Employee No,
 *   Address, Departments, Leader In Departments, Main Department, Direct Leaders, Enabled
 *
 *   - User ID, Name and Departments are required columns; the others may be left out, and then an
 *     existing member keeps that attribute (a new one gets it empty). A present but empty cell
 *     clears the attribute, except Enabled, where empty means "unchanged" ("yes" for a new member).
 *   - Departments, Leader In Departments and Direct Leaders are lists separated by ";": department
 *     ids ("1;12") and userids. Leader In Departments must be a subset of Departments. Main
 *     Department is one of Departments (empty: the first).
 *   - Gender: male, female or empty (also m/f, 1/2, 男/女). Enabled: yes/no (also true/false, 1/0).
 *   - A member needs a mobile or an email; userids, mobiles and emails are unique in the corp.
 *
 * Departments (upsert by Department ID; parents before children or anywhere else in the file):
 *
 *   Department ID, Parent Department ID, Name, English Name, Order, Leaders
 *
 *   - Department ID, Parent Department ID and Name are required columns. The root (id 1) has an
 *     empty parent. Order: siblings are shown by descending order; empty keeps an existing
 *     department's order and puts a new one after its siblings, in file order. Leaders: userids
 *     separated by ";", who must already be members: import departments, then members, then the
 *     departments file again if it names leaders.
 */

/** Longest cell value an error echoes. */
export const MAX_ECHOED_CHARS = 100;

/**
 * A value cut to `max` characters, saying so: a file's cells can be megabytes long (a 20 MB header
 * without line breaks is one cell), and an error that echoes one must not carry it whole.
 */
export function clipped(value: string, max = MAX_ECHOED_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters, cut)`;
}

export type ImportKind = 'members' | 'departments';
export const IMPORT_KINDS: readonly ImportKind[] = ['members', 'departments'];

export function parseImportKind(kind: string): ImportKind {
  if (!IMPORT_KINDS.includes(kind as ImportKind))
    throw new ValidationError(`kind must be one of ${IMPORT_KINDS.join(', ')}`, { field: 'kind' });
  return kind as ImportKind;
}

export interface Column<K extends string = string> {
  key: K;
  header: string;
  required: boolean;
}

export const MEMBER_COLUMNS = [
  { key: 'userid', header: 'User ID', required: true },
  { key: 'name', header: 'Name', required: true },
  { key: 'alias', header: 'Alias', required: false },
  { key: 'name_en', header: 'English Name', required: false },
  { key: 'position', header: 'Position', required: false },
  { key: 'mobile', header: 'Mobile', required: false },
  { key: 'email', header: 'Email', required: false },
  { key: 'telephone', header: 'Telephone', required: false },
  { key: 'gender', header: 'Gender', required: false },
  { key: 'employee_no', header: 'Employee No', required: false },
  { key: 'address', header: 'Address', required: false },
  { key: 'departments', header: 'Departments', required: true },
  { key: 'leader_in_departments', header: 'Leader In Departments', required: false },
  { key: 'main_department', header: 'Main Department', required: false },
  { key: 'direct_leaders', header: 'Direct Leaders', required: false },
  { key: 'enabled', header: 'Enabled', required: false },
] as const satisfies readonly Column[];

export const DEPARTMENT_COLUMNS = [
  { key: 'id', header: 'Department ID', required: true },
  { key: 'parent_id', header: 'Parent Department ID', required: true },
  { key: 'name', header: 'Name', required: true },
  { key: 'name_en', header: 'English Name', required: false },
  { key: 'order', header: 'Order', required: false },
  { key: 'leaders', header: 'Leaders', required: false },
] as const satisfies readonly Column[];

export type MemberField = (typeof MEMBER_COLUMNS)[number]['key'];
export type DepartmentField = (typeof DEPARTMENT_COLUMNS)[number]['key'];

export interface RowError {
  /** 1-based line of the file; the header is line 1; 0 for a problem of the whole job. */
  line: number;
  field: string;
  reason: string;
}

/** A data record with its cells looked up by field key; a key whose column is absent is undefined. */
export type RowValues<K extends string> = Partial<Record<K, string>>;

const normalise = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Maps the header record to column positions. Errors (unknown, repeated or missing columns) are
 * reported on line 1 with the header text as the field.
 */
export function readHeader<K extends string>(
  columns: readonly Column<K>[],
  header: readonly string[],
): { positions: Map<K, number>; errors: RowError[] } {
  const byName = new Map<string, Column<K>>();
  for (const column of columns) {
    byName.set(normalise(column.header), column);
    byName.set(normalise(column.key), column);
  }
  const positions = new Map<K, number>();
  const errors: RowError[] = [];
  header.forEach((text, index) => {
    const column = byName.get(normalise(text));
    if (!column) {
      errors.push({
        line: 1,
        field: clipped(text),
        reason: `unknown column "${clipped(text)}"; expected: ${columns.map((c) => c.header).join(', ')}`,
      });
    } else if (positions.has(column.key)) {
      errors.push({ line: 1, field: column.key, reason: `column "${column.header}" appears twice` });
    } else {
      positions.set(column.key, index);
    }
  });
  for (const column of columns) {
    if (column.required && !positions.has(column.key))
      errors.push({ line: 1, field: column.key, reason: `required column "${column.header}" is missing` });
  }
  return { positions, errors };
}

export function rowValues<K extends string>(positions: Map<K, number>, fields: readonly string[]): RowValues<K> {
  const values: RowValues<K> = {};
  for (const [key, index] of positions) values[key] = (fields[index] ?? '').trim();
  return values;
}

/** ";"-separated lists; the full-width "；" that Chinese input methods type is accepted too. */
export function splitList(value: string): string[] {
  return value
    .split(/[;；]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export const joinList = (items: readonly (string | number)[]): string => items.join(';');

const GENDERS = new Map<string, number>([
  ['', 0],
  ['0', 0],
  ['1', 1],
  ['2', 2],
  ['male', 1],
  ['m', 1],
  ['男', 1],
  ['female', 2],
  ['f', 2],
  ['女', 2],
]);
const GENDER_NAMES = ['', 'male', 'female'];

/** undefined when the text is not a gender. */
export function parseGender(text: string): number | undefined {
  return GENDERS.get(text.toLowerCase());
}

export const formatGender = (gender: number): string => GENDER_NAMES[gender] ?? '';

const ENABLED = new Map<string, boolean>([
  ['yes', true],
  ['y', true],
  ['true', true],
  ['1', true],
  ['no', false],
  ['n', false],
  ['false', false],
  ['0', false],
]);

/** undefined when the text is not a yes/no. */
export function parseEnabled(text: string): boolean | undefined {
  return ENABLED.get(text.toLowerCase());
}

export const headerRecord = (columns: readonly Column[]): string[] => columns.map((c) => c.header);

export function memberRecord(member: Member): string[] {
  const values: Record<MemberField, string> = {
    userid: member.userid,
    name: member.name,
    alias: member.alias,
    name_en: member.nameEn,
    position: member.position,
    mobile: member.mobile,
    email: member.email,
    telephone: member.telephone,
    gender: formatGender(member.gender),
    employee_no: member.employeeNo,
    address: member.address,
    departments: joinList(member.departments.map((d) => d.departmentId)),
    leader_in_departments: joinList(member.departments.filter((d) => d.isLeader).map((d) => d.departmentId)),
    main_department: String(member.mainDepartment),
    direct_leaders: joinList(member.directLeaders),
    enabled: member.status === 'active' ? 'yes' : 'no',
  };
  return MEMBER_COLUMNS.map((c) => values[c.key]);
}

export function departmentRecord(department: Department): string[] {
  const values: Record<DepartmentField, string> = {
    id: String(department.id),
    parent_id: department.parentId ? String(department.parentId) : '',
    name: department.name,
    name_en: department.nameEn,
    order: String(department.order),
    leaders: joinList(department.leaders),
  };
  return DEPARTMENT_COLUMNS.map((c) => values[c.key]);
}
