import { DomainError } from '@atrium/platform';
import { RowError } from './import-formats';

// The shared rule functions name some fields as the API does; a CSV error names its column.
const CSV_FIELD: Record<string, string> = { department: 'departments', direct_leader: 'direct_leaders' };

/** Collects the errors of one record: every field is checked, not only up to the first bad one. */
export class RowCheck {
  readonly errors: RowError[] = [];

  constructor(readonly line: number) {}

  /** Runs a rule function; its ValidationError becomes a row error and the result undefined. */
  field<T>(field: string, rule: () => T): T | undefined {
    try {
      return rule();
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'VALIDATION_FAILED') throw error;
      const named = typeof error.details?.field === 'string' ? error.details.field : field;
      this.fail(CSV_FIELD[named] ?? named, error.message);
      return undefined;
    }
  }

  fail(field: string, reason: string): void {
    this.errors.push({ line: this.line, field, reason });
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

/** A ";" list of department ids; a malformed item is a row error and left out. */
export function parseIds(check: RowCheck, field: string, items: string[], validate: (id: number, field: string) => number): number[] {
  const ids: number[] = [];
  for (const item of items) {
    if (!/^\d{1,10}$/.test(item)) {
      check.fail(field, `"${item}" is not a department id`);
      continue;
    }
    const id = check.field(field, () => validate(Number(item), field));
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/**
 * Row-to-row dependencies of a partial import: a row that relies on another (its parent
 * department, its direct leader, a mobile that other row gives up) cannot be applied without it.
 * Marks dependants of bad rows bad, transitively, with an error naming the line they rely on:
 * "<what> is on line N, which has errors".
 */
export function propagateBadRows(
  dependencies: { row: number; on: number; field: string; what: string }[],
  bad: boolean[],
  lineOf: (row: number) => number,
): RowError[] {
  const dependants = new Map<number, typeof dependencies>();
  for (const dependency of dependencies) {
    const list = dependants.get(dependency.on);
    if (list) list.push(dependency);
    else dependants.set(dependency.on, [dependency]);
  }
  const errors: RowError[] = [];
  const queue = bad.flatMap((isBad, row) => (isBad ? [row] : []));
  while (queue.length > 0) {
    const on = queue.pop() as number;
    for (const dependency of dependants.get(on) ?? []) {
      if (bad[dependency.row]) continue;
      bad[dependency.row] = true;
      queue.push(dependency.row);
      errors.push({
        line: lineOf(dependency.row),
        field: dependency.field,
        reason: `${dependency.what} is on line ${lineOf(on)}, which has errors`,
      });
    }
  }
  return errors;
}

export const byLine = (a: RowError, b: RowError) => a.line - b.line;

/**
 * Visits the items in chunks and yields to the event loop after each (calling `afterChunk` with
 * the number done), so a long validation neither starves pollers nor hides its progress.
 */
export async function forEachInChunks<T>(
  items: readonly T[],
  chunk: number,
  visit: (item: T, index: number) => void,
  afterChunk: (done: number) => Promise<void> = () => new Promise<void>((resolve) => setImmediate(resolve)),
): Promise<void> {
  for (let start = 0; start < items.length; start += chunk) {
    const end = Math.min(items.length, start + chunk);
    for (let i = start; i < end; i += 1) visit(items[i], i);
    await afterChunk(end);
  }
}
