import { Department, MAX_DEPARTMENTS_PER_CORP, MAX_DEPTH, ROOT_DEPARTMENT_ID } from '../departments/department';
import { validateDepartmentId, validateDepartmentName, validateDepartmentNameEn, validateOrder } from '../departments/department-rules';
import { validateUserid } from '../members/member-rules';
import { DepartmentField, RowError, RowValues, splitList } from './import-formats';
import { byLine, forEachInChunks, parseIds, RowCheck } from './import-rows';

/**
 * Validation of a departments CSV against the corp's tree, without writing. The file is laid over
 * the current tree and the result must be a tree again: parents exist (in the directory or in the
 * file, in any order), no cycles, at most MAX_DEPTH levels, unique names among siblings.
 */

export interface DepartmentRow {
  line: number;
  values: RowValues<DepartmentField>;
}

export interface DepartmentImportContext {
  corpId: string;
  /** The corp's whole tree as it is. */
  departments: Map<number, Department>;
  /** The leaders the file names who are members. */
  knownLeaders: Set<string>;
  /** Which of these departments (by identity) are outside the caller's manage_departments scope. */
  deniedAmong(departments: Department[]): Promise<Set<Department>>;
  partial: boolean;
}

export interface DepartmentChange {
  line: number;
  department: Department;
  previous?: Department;
  moved: boolean;
  /** Name, English name or order differ. */
  renamed: boolean;
  leadersChanged: boolean;
}

export interface DepartmentImportPlan {
  changes: DepartmentChange[];
  /** Departments the file does not mention whose path changes because an ancestor moves. */
  paths: { id: number; path: number[] }[];
  errors: RowError[];
}

/** A record on its own terms: the attributes it sets (undefined: column absent or order empty). */
interface ParsedRow {
  id: number;
  parentId: number;
  name: string;
  nameEn?: string;
  order?: number;
  leaders?: string[];
}

const differs = (before: Department, after: Department) =>
  before.parentId !== after.parentId ||
  before.name !== after.name ||
  before.nameEn !== after.nameEn ||
  before.order !== after.order ||
  before.leaders.join() !== after.leaders.join();

export function departmentLeaderReferences(rows: DepartmentRow[]): string[] {
  return [...new Set(rows.flatMap((r) => splitList(r.values.leaders ?? '').map((l) => l.toLowerCase())))];
}

function readRow(row: DepartmentRow, context: DepartmentImportContext): { check: RowCheck; id?: number; parsed?: ParsedRow } {
  const { values } = row;
  const check = new RowCheck(row.line);
  const [id] = parseIds(check, 'id', [values.id ?? ''], validateDepartmentId);
  let parentId = 0;
  if (values.parent_id) parentId = parseIds(check, 'parent_id', [values.parent_id], validateDepartmentId)[0] ?? 0;
  const name = check.field('name', () => validateDepartmentName(values.name ?? ''));
  const nameEn = values.name_en === undefined ? undefined : check.field('name_en', () => validateDepartmentNameEn(values.name_en ?? ''));
  let order: number | undefined;
  if (values.order) {
    if (/^\d{1,10}$/.test(values.order)) order = check.field('order', () => validateOrder(Number(values.order)));
    else check.fail('order', 'order must be an integer from 0 to 2^32-1');
  }
  let leaders: string[] | undefined;
  if (values.leaders !== undefined) {
    const valid = splitList(values.leaders).map((l) => check.field('leaders', () => validateUserid(l, 'leaders')));
    leaders = [...new Set(valid.filter((l): l is string => l !== undefined))].sort();
    for (const leader of leaders) {
      if (!context.knownLeaders.has(leader))
        check.fail('leaders', `leader ${leader} is not a member; import the members first, then this file again to set leaders`);
    }
  }
  if (id === ROOT_DEPARTMENT_ID) {
    if (parentId !== 0) check.fail('parent_id', 'the root department (1) has no parent');
    const root = context.departments.get(ROOT_DEPARTMENT_ID);
    if (order !== undefined && order !== root?.order) check.fail('order', 'the root department has no siblings to be ordered among');
  } else if (id !== undefined) {
    if (!values.parent_id) check.fail('parent_id', 'parent_id is required (only the root, 1, has none)');
    else if (parentId === id) check.fail('parent_id', 'a department cannot be its own parent');
  }
  if (!check.ok || id === undefined || name === undefined) return { check, id };
  return { check, id, parsed: { id, parentId, name, nameEn, order, leaders } };
}

export async function planDepartmentImport(
  rows: DepartmentRow[],
  context: DepartmentImportContext,
  onProgress: (checked: number) => Promise<void>,
): Promise<DepartmentImportPlan> {
  const read: { check: RowCheck; id?: number; parsed?: ParsedRow }[] = [];
  await forEachInChunks(rows, 2_000, (row) => read.push(readRow(row, context)), onProgress);
  const errors: RowError[] = read.flatMap((r) => r.check.errors);
  const bad = read.map((r) => r.parsed === undefined);
  const lineOf = (i: number) => rows[i].line;

  const rowOfId = new Map<number, number>();
  read.forEach(({ id }, i) => {
    if (id === undefined) return;
    const first = rowOfId.get(id);
    if (first === undefined) rowOfId.set(id, i);
    else {
      bad[i] = true;
      errors.push({ line: lineOf(i), field: 'id', reason: `department ${id} is also on line ${lineOf(first)}` });
    }
  });

  // The tree after the import is re-derived each round from the rows still good; in partial mode
  // dropping a row can strand others (its children), so rounds repeat until nothing more drops.
  let tree = new Map<number, Department>();
  for (;;) {
    tree = overlay(context.corpId, context.departments, read, bad);
    const found = checkStructure(tree, context.departments, read, bad, rowOfId, lineOf);
    const flagged = new Set(found.map((f) => f.id));
    found.push(...(await checkScope(tree, context, read, bad, flagged)));
    for (const error of found) {
      const row = rowOfId.get(error.id) as number;
      bad[row] = true;
      errors.push({ line: lineOf(row), field: error.field, reason: error.reason });
    }
    if (found.length === 0 || !context.partial) break;
  }
  errors.sort(byLine);

  const changes: DepartmentChange[] = [];
  read.forEach(({ parsed }, i) => {
    if (!parsed || bad[i]) return;
    const department = tree.get(parsed.id) as Department;
    const previous = context.departments.get(parsed.id);
    if (previous && !differs(previous, department)) return;
    const moved = previous !== undefined && previous.parentId !== department.parentId;
    const renamed =
      previous !== undefined &&
      (previous.name !== department.name || previous.nameEn !== department.nameEn || previous.order !== department.order);
    const leadersChanged = previous === undefined ? department.leaders.length > 0 : previous.leaders.join() !== department.leaders.join();
    changes.push({ line: lineOf(i), department, previous, moved, renamed, leadersChanged });
  });
  const mentioned = new Set(changes.map((c) => c.department.id));
  const paths = [...tree.values()]
    .filter((d) => !mentioned.has(d.id) && context.departments.get(d.id)?.path.join() !== d.path.join())
    .map((d) => ({ id: d.id, path: d.path }));
  return { changes, paths, errors };
}

/** The current tree with the good rows laid over it, paths recomputed, new orders assigned. */
function overlay(
  corpId: string,
  current: Map<number, Department>,
  read: { parsed?: ParsedRow }[],
  bad: boolean[],
): Map<number, Department> {
  const tree = new Map<number, Department>();
  for (const [id, d] of current) tree.set(id, { ...d });
  const unordered = new Set<Department>();
  read.forEach(({ parsed }, i) => {
    if (!parsed || bad[i]) return;
    const previous = current.get(parsed.id);
    const department: Department = {
      corpId,
      id: parsed.id,
      parentId: parsed.parentId,
      name: parsed.name,
      nameEn: parsed.nameEn ?? previous?.nameEn ?? '',
      order: parsed.order ?? previous?.order ?? 0,
      path: [],
      leaders: parsed.leaders ?? previous?.leaders ?? [],
    };
    tree.set(parsed.id, department);
    if (!previous && parsed.order === undefined) unordered.add(department);
  });
  // Siblings show by descending order: a new department without one goes after its siblings, in
  // file order, as the API places a department created without an order.
  const lowest = new Map<number, number>();
  for (const d of tree.values()) {
    if (unordered.has(d)) continue;
    lowest.set(d.parentId, Math.min(lowest.get(d.parentId) ?? Infinity, d.order));
  }
  for (const d of unordered) {
    const below = lowest.get(d.parentId);
    d.order = Math.max(0, (below === undefined || below === Infinity ? 100_000_000 : below) - 1_000);
    lowest.set(d.parentId, d.order);
  }
  return tree;
}

interface FoundError {
  /** The department whose row is at fault. */
  id: number;
  field: string;
  reason: string;
}

/**
 * Parents, cycles, depth, sibling names and the corp's size, in the tree after the import; fills
 * in each department's path. Errors name the rows of the file responsible for them.
 */
function checkStructure(
  tree: Map<number, Department>,
  current: Map<number, Department>,
  read: { parsed?: ParsedRow }[],
  bad: boolean[],
  rowOfId: Map<number, number>,
  lineOf: (row: number) => number,
): FoundError[] {
  const found: FoundError[] = [];
  const inFile = (id: number) => {
    const row = rowOfId.get(id);
    return row !== undefined && !bad[row];
  };

  for (const d of tree.values()) {
    if (d.id === ROOT_DEPARTMENT_ID || tree.has(d.parentId)) continue;
    const parentRow = rowOfId.get(d.parentId);
    found.push({
      id: d.id,
      field: 'parent_id',
      reason:
        parentRow === undefined
          ? `parent department ${d.parentId} does not exist (neither in the directory nor in this file)`
          : `parent department ${d.parentId} is on line ${lineOf(parentRow)}, which has errors`,
    });
  }

  // Paths from the root down. A walk that meets itself is a cycle (only a moved or new department
  // can close one: the current tree has none); a department under a cycle or a missing parent
  // gets an empty path, "unknown", and is not judged further.
  const state = new Map<number, 'walking' | 'done'>();
  const root = tree.get(ROOT_DEPARTMENT_ID);
  if (root) root.path = [ROOT_DEPARTMENT_ID];
  state.set(ROOT_DEPARTMENT_ID, 'done');
  for (const start of tree.values()) {
    const chain: Department[] = [];
    let above: number[] = [];
    let d = tree.get(start.id);
    while (d !== undefined) {
      const seen = state.get(d.id);
      if (seen === 'done') {
        above = d.path;
        break;
      }
      if (seen === 'walking') {
        const cycle = chain.slice(chain.indexOf(d));
        const ids = [...cycle.map((c) => c.id), d.id].join(' → ');
        for (const c of cycle) if (inFile(c.id)) found.push({ id: c.id, field: 'parent_id', reason: `parents make a cycle: ${ids}` });
        break;
      }
      state.set(d.id, 'walking');
      chain.push(d);
      d = tree.get(d.parentId);
    }
    for (const c of chain.reverse()) {
      c.path = above.length > 0 ? [...above, c.id] : [];
      above = c.path;
      state.set(c.id, 'done');
    }
  }

  // Too deep: blame the nearest department of the file that was moved or created on the way up.
  const blamed = new Set<number>();
  for (const d of tree.values()) {
    if (d.path.length <= MAX_DEPTH) continue;
    const culprit = [...d.path].reverse().find((id) => inFile(id) && current.get(id)?.parentId !== tree.get(id)?.parentId);
    if (culprit === undefined || blamed.has(culprit)) continue;
    blamed.add(culprit);
    found.push({ id: culprit, field: 'parent_id', reason: `departments would nest deeper than ${MAX_DEPTH} levels` });
  }

  const siblings = new Map<string, Department[]>();
  for (const d of tree.values()) {
    const key = `${d.parentId}/${d.name.toLowerCase()}`;
    const list = siblings.get(key);
    if (list) list.push(d);
    else siblings.set(key, [d]);
  }
  for (const list of siblings.values()) {
    if (list.length < 2) continue;
    for (const d of list) {
      if (!inFile(d.id)) continue;
      const other = list.find((o) => o !== d) as Department;
      found.push({ id: d.id, field: 'name', reason: `department ${other.id} under ${d.parentId} is also named "${other.name}"` });
    }
  }

  if (tree.size > MAX_DEPARTMENTS_PER_CORP) {
    const added = read.flatMap(({ parsed }, i) => (parsed && !bad[i] && !current.has(parsed.id) ? [parsed.id] : []));
    for (const id of added.slice(added.length - (tree.size - MAX_DEPARTMENTS_PER_CORP))) {
      found.push({ id, field: 'id', reason: `a corp has at most ${MAX_DEPARTMENTS_PER_CORP} departments` });
    }
  }
  return found;
}

/**
 * manage_departments over what each row touches: for a new department its parent; for an
 * existing one the department itself and, when it moves, its new parent.
 */
async function checkScope(
  tree: Map<number, Department>,
  context: DepartmentImportContext,
  read: { parsed?: ParsedRow }[],
  bad: boolean[],
  flagged: Set<number>,
): Promise<FoundError[]> {
  const touched: { id: number; field: string; department: Department }[] = [];
  read.forEach(({ parsed }, i) => {
    if (!parsed || bad[i] || flagged.has(parsed.id)) return;
    const previous = context.departments.get(parsed.id);
    const after = tree.get(parsed.id) as Department;
    if (previous && !differs(previous, after)) return;
    const parent = tree.get(parsed.parentId);
    if (previous) touched.push({ id: parsed.id, field: 'id', department: previous });
    if (parent && parent.path.length > 0 && (!previous || previous.parentId !== parsed.parentId))
      touched.push({ id: parsed.id, field: 'parent_id', department: parent });
  });
  const denied = await context.deniedAmong(touched.map((t) => t.department));
  const found: FoundError[] = [];
  const blamed = new Set<number>();
  for (const t of touched) {
    if (!denied.has(t.department) || blamed.has(t.id)) continue;
    blamed.add(t.id);
    found.push({
      id: t.id,
      field: t.field,
      reason: `department "${t.department.name}" (${t.department.id}) is outside your administrative scope`,
    });
  }
  return found;
}
