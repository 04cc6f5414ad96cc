import { ImportKind, RowError } from './import-formats';

export type ImportMode = 'all_or_nothing' | 'partial';
export const IMPORT_MODES: readonly ImportMode[] = ['all_or_nothing', 'partial'];

/**
 * validating → invalid (all_or_nothing with a bad row, or nothing valid at all)
 *            → applying → done | failed (crash, shutdown, database error)
 */
export type ImportStatus = 'validating' | 'invalid' | 'applying' | 'done' | 'failed';

export const MAX_STORED_ERRORS = 1_000;

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
  /** The first MAX_STORED_ERRORS row errors, by line. */
  errors: RowError[];
  failure: string | null;
  createdBy: string;
  createdAt: Date;
  finishedAt: Date | null;
}
