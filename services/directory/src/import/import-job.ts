import { clipped, ImportKind, RowError } from './import-formats';

export type ImportMode = 'all_or_nothing' | 'partial';
export const IMPORT_MODES: readonly ImportMode[] = ['all_or_nothing', 'partial'];

/**
 * validating → invalid (all_or_nothing with a bad row, or nothing valid at all)
 *            → applying → done | failed (crash, shutdown, database error)
 */
export type ImportStatus = 'validating' | 'invalid' | 'applying' | 'done' | 'failed';

/** The job keeps the first this many row errors (error_count counts them all). */
export const MAX_STORED_ERRORS = 1_000;
/** Longest field name and reason a stored error keeps. */
export const MAX_FIELD_CHARS = 200;
export const MAX_REASON_CHARS = 500;

/** What a job stores of its errors: at most MAX_STORED_ERRORS, each of bounded size. */
export function boundedErrors(errors: readonly RowError[]): RowError[] {
  return errors.slice(0, MAX_STORED_ERRORS).map((e) => ({
    line: e.line,
    field: clipped(e.field, MAX_FIELD_CHARS),
    reason: clipped(e.reason, MAX_REASON_CHARS),
  }));
}

export interface ImportJob {
  corpId: string;
  id: string;
  kind: ImportKind;
  mode: ImportMode;
  status: ImportStatus;
  /** Data records of the file (the header and blank lines not counted). */
  totalRows: number;
  /**
   * validating: records checked so far; applying, done: records applied so far. In all_or_nothing
   * mode applied rows are committed all at once, when the job turns done; until then the count is
   * the progress of the open transaction, invisible to readers of the directory.
   */
  processedRows: number;
  errorCount: number;
  /** The first MAX_STORED_ERRORS row errors, by line, each cut to bounded length (boundedErrors). */
  errors: RowError[];
  failure: string | null;
  createdBy: string;
  createdAt: Date;
  finishedAt: Date | null;
}
