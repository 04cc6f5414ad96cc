import { ConflictError, queryReturning, translateUniqueViolation, Tx } from '@atrium/platform';
import { clipped, ImportKind, RowError } from './import-formats';
import { boundedErrors, ImportJob, ImportMode, ImportStatus, MAX_REASON_CHARS } from './import-job';

interface Row {
  corp_id: string;
  id: string;
  kind: ImportKind;
  mode: ImportMode;
  status: ImportStatus;
  total_rows: number;
  processed_rows: number;
  error_count: number;
  errors: RowError[];
  failure: string | null;
  created_by: string;
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS = `corp_id, id, kind, mode, status, total_rows, processed_rows, error_count, errors, failure, created_by, created_at, finished_at`;

const toJob = (row: Row): ImportJob => ({
  corpId: row.corp_id,
  id: row.id,
  kind: row.kind,
  mode: row.mode,
  status: row.status,
  totalRows: row.total_rows,
  processedRows: row.processed_rows,
  errorCount: row.error_count,
  errors: row.errors,
  failure: row.failure,
  createdBy: row.created_by,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

export interface ImportOutcome {
  status: 'invalid' | 'done' | 'failed';
  processedRows?: number;
  errors: RowError[];
  failure?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Progress writes run outside the job's own transaction, so pollers see them while it is open. */
export class ImportJobsRepository {
  async insert(tx: Tx, corpId: string, job: { kind: ImportKind; mode: ImportMode; createdBy: string }): Promise<ImportJob> {
    return translateUniqueViolation(
      async () => {
        const [row] = await tx.query<Row[]>(
          `INSERT INTO import_jobs (corp_id, kind, mode, status, created_by) VALUES ($1, $2, $3, 'validating', $4) RETURNING ${COLUMNS}`,
          [corpId, job.kind, job.mode, job.createdBy],
        );
        return toJob(row);
      },
      ({ constraint }) =>
        constraint === 'import_jobs_one_running'
          ? new ConflictError('another import of this corp is still running; wait until it finishes', { field: 'kind' })
          : undefined,
    );
  }

  async find(tx: Tx, corpId: string, id: string): Promise<ImportJob | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await tx.query<Row[]>(`SELECT ${COLUMNS} FROM import_jobs WHERE corp_id = $1 AND id = $2`, [corpId, id]);
    return row && toJob(row);
  }

  /** false when the job is no longer running (another instance failed it as abandoned). */
  async recordProgress(
    tx: Tx,
    corpId: string,
    id: string,
    progress: { status?: ImportStatus; totalRows?: number; processedRows: number },
  ): Promise<boolean> {
    const updated = await queryReturning<unknown>(
      tx,
      `UPDATE import_jobs SET status = coalesce($3, status), total_rows = coalesce($4, total_rows), processed_rows = $5, heartbeat_at = now()
        WHERE corp_id = $1 AND id = $2 AND status IN ('validating', 'applying') RETURNING id`,
      [corpId, id, progress.status ?? null, progress.totalRows ?? null, progress.processedRows],
    );
    return updated.length > 0;
  }

  /** false when the job is no longer running (another instance failed it as abandoned). */
  async finish(tx: Tx, corpId: string, id: string, outcome: ImportOutcome): Promise<boolean> {
    const updated = await queryReturning<unknown>(
      tx,
      `UPDATE import_jobs SET status = $3, processed_rows = coalesce($4, processed_rows), error_count = $5, errors = $6, failure = $7,
              finished_at = now(), heartbeat_at = now()
        WHERE corp_id = $1 AND id = $2 AND status IN ('validating', 'applying') RETURNING id`,
      [
        corpId,
        id,
        outcome.status,
        outcome.processedRows ?? null,
        outcome.errors.length,
        JSON.stringify(boundedErrors(outcome.errors)),
        outcome.failure === undefined ? null : clipped(outcome.failure, MAX_REASON_CHARS),
      ],
    );
    return updated.length > 0;
  }

  async heartbeat(tx: Tx, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`UPDATE import_jobs SET heartbeat_at = now() WHERE id = ANY($1::uuid[]) AND status IN ('validating', 'applying')`, [
      ids,
    ]);
  }

  /**
   * Fails the running jobs nobody has vouched for since `staleSeconds`: their process is gone, and
   * with it the open chunk's transaction; the chunks it committed (counted in processed_rows) stay,
   * in either mode, since the revert of an all_or_nothing job runs in the process that applied it.
   */
  async failAbandoned(tx: Tx, staleSeconds: number, failure: { nothingWritten: string; batchesKept: string }): Promise<ImportJob[]> {
    const rows = await queryReturning<Row>(
      tx,
      `UPDATE import_jobs
          SET status = 'failed', finished_at = now(),
              failure = CASE WHEN status = 'applying' AND processed_rows > 0 THEN $3 ELSE $2 END
        WHERE status IN ('validating', 'applying') AND heartbeat_at < now() - make_interval(secs => $1)
        RETURNING ${COLUMNS}`,
      [staleSeconds, failure.nothingWritten, failure.batchesKept],
    );
    return rows.map(toJob);
  }
}
