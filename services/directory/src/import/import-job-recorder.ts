import { Tx } from '@atrium/platform';
import { ImportJob } from './import-job';
import { ImportJobsRepository, ImportOutcome } from './import-jobs.repository';

/** Thrown at the next checkpoint of a running job once the service is shutting down. */
export class ImportInterrupted extends Error {}

/** The job is no longer running: another instance failed it as abandoned. Its work must not commit. */
export class JobLost extends Error {}

/**
 * A running job's writes to its own row. Each checks the job is still running, so a job failed as
 * abandoned (this process stalled past the heartbeat limit) is never revived by a late write.
 */
export class JobRecorder {
  /** Rows committed and kept so far (partial mode, or a revert that failed), for the failure message. */
  applied = 0;

  constructor(
    private readonly jobs: ImportJobsRepository,
    private readonly manager: Tx,
    readonly job: ImportJob,
    private readonly stopping: () => boolean,
  ) {}

  /** Outside the job's own transaction unless one is given: pollers see it at once. */
  async progress(fields: { status?: 'applying'; totalRows?: number; processedRows: number }, tx: Tx = this.manager): Promise<void> {
    if (this.stopping()) throw new ImportInterrupted();
    if (!(await this.jobs.recordProgress(tx, this.job.corpId, this.job.id, fields))) throw new JobLost();
  }

  /** Inside the job's transaction when given one: the outcome commits with the rows, or not at all. */
  async complete(outcome: ImportOutcome, tx: Tx = this.manager): Promise<void> {
    if (!(await this.jobs.finish(tx, this.job.corpId, this.job.id, outcome))) throw new JobLost();
  }
}
