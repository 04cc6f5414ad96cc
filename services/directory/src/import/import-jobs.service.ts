import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  AppLogger,
  CallerIdentity,
  DomainError,
  LOGGER,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  ValidationError,
} from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { CsvRecord, CsvSyntaxError, parseCsv } from './csv';
import { DepartmentsImportService } from './departments-import.service';
import {
  Column,
  DEPARTMENT_COLUMNS,
  ImportKind,
  MEMBER_COLUMNS,
  parseImportKind,
  readHeader,
  RowError,
  rowValues,
  RowValues,
} from './import-formats';
import { IMPORT_MODES, ImportJob, ImportMode } from './import-job';
import { ImportInterrupted, JobLost, JobRecorder } from './import-job-recorder';
import { ImportJobsRepository } from './import-jobs.repository';
import { MembersImportService } from './members-import.service';

/** A file larger than this is refused: split it (validation holds the whole file in memory). */
export const MAX_IMPORT_ROWS = 200_000;
/** How often a running job's process vouches for it, and after how long without that it is presumed dead. */
const HEARTBEAT_MS = 10_000;
const ABANDONED_AFTER_SECONDS = 60;

/**
 * The life of CSV import jobs (formats in import-formats.ts). StartImport records a job and
 * returns; the job reads its file, then MembersImportService or DepartmentsImportService
 * validates every row without writing and applies the good ones. Jobs run in this process:
 * shutdown interrupts them at their next checkpoint and marks them failed; a job whose process
 * died is failed by whichever instance notices its stale heartbeat.
 */
@Injectable()
export class ImportJobsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly jobs: ImportJobsRepository,
    private readonly scopes: AdminScopesService,
    private readonly membersImport: MembersImportService,
    private readonly departmentsImport: DepartmentsImportService,
  ) {}

  async startImport(caller: CallerIdentity, input: { kind: string; mode: string; csv: string }): Promise<ImportJob> {
    const kind = parseImportKind(input.kind);
    const mode = (input.mode || 'all_or_nothing') as ImportMode;
    if (!IMPORT_MODES.includes(mode)) throw new ValidationError(`mode must be one of ${IMPORT_MODES.join(', ')}`, { field: 'mode' });
    if (input.csv.trim() === '') throw new ValidationError('csv is empty', { field: 'csv' });
    if (this.stopping) throw new DomainError('UNAVAILABLE', 'the directory service is shutting down; retry the import');
    const permission = kind === 'members' ? 'manage_members' : 'manage_departments';
    const job = await this.transactions.run(async (tx) => {
      if ((await this.scopes.firstDenied(tx, caller.corpId, caller, permission, [])) === null)
        throw new DomainError('FORBIDDEN', `you are not an administrator with the ${permission} permission`, { permission });
      return this.jobs.insert(tx, caller.corpId, { kind, mode, createdBy: caller.userId });
    });
    const work = this.run(job, caller, input.csv)
      .catch((error: unknown) => this.logger.error({ err: error, jobId: job.id }, 'import job: could not record its outcome'))
      .finally(() => this.running.delete(job.id));
    this.running.set(job.id, work);
    return job;
  }

  async getJob(caller: CallerIdentity, id: string): Promise<ImportJob> {
    const tx = this.transactions.manager;
    const job = await this.jobs.find(tx, caller.corpId, id);
    if (!job) throw new NotFoundError('import job', { field: 'id', id });
    if (job.createdBy !== caller.userId) await this.scopes.assertSuperAdmin(tx, caller);
    return job;
  }

  onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.keepAlive(), HEARTBEAT_MS);
    this.timer.unref();
    return this.keepAlive();
  }

  /** Running jobs stop at their next checkpoint and are marked failed before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }

  /** Vouches for this process's jobs and fails those whose process has stopped vouching. */
  private async keepAlive(): Promise<void> {
    try {
      const tx = this.transactions.manager;
      await this.jobs.heartbeat(tx, [...this.running.keys()]);
      const abandoned = await this.jobs.failAbandoned(tx, ABANDONED_AFTER_SECONDS, {
        nothingWritten: 'the directory service running this import stopped (a crash or a restart) before it finished; nothing was written',
        batchesKept:
          'the directory service running this import stopped (a crash or a restart) before it finished; the rows counted in processed_rows were applied, the others were not',
      });
      for (const job of abandoned)
        this.logger.warn({ jobId: job.id, corpId: job.corpId }, 'import job abandoned by a stopped process: failed');
    } catch (error) {
      this.logger.warn({ err: error }, 'import jobs: heartbeat failed');
    }
  }

  /** The job's whole life after StartImport returned; its outcome is recorded, not thrown. */
  private async run(job: ImportJob, caller: CallerIdentity, csv: string): Promise<void> {
    const recorder = new JobRecorder(this.jobs, this.transactions.manager, job, () => this.stopping);
    try {
      const parsed = this.readFile(job.kind, csv);
      if ('errors' in parsed) {
        await recorder.complete({ status: 'invalid', processedRows: 0, errors: parsed.errors });
        return;
      }
      await recorder.progress({ totalRows: parsed.rows.length, processedRows: 0 });
      if (job.kind === 'members') await this.membersImport.importMembers(recorder, caller, parsed.rows);
      else await this.departmentsImport.importDepartments(recorder, caller, parsed.rows);
    } catch (error) {
      if (error instanceof JobLost) {
        this.logger.warn(
          { jobId: job.id },
          'import job: failed meanwhile as abandoned (no heartbeat for too long); its work was rolled back',
        );
        return;
      }
      const kept =
        recorder.applied > 0 ? `the first ${recorder.applied} valid rows were applied, the others were not` : 'nothing was written';
      const failure =
        error instanceof ImportInterrupted
          ? `the directory service shut down during the import; ${kept}`
          : `the import failed: ${error instanceof Error ? error.message : String(error)}; ${kept}`;
      if (!(error instanceof ImportInterrupted)) this.logger.error({ err: error, jobId: job.id }, 'import job failed');
      await this.jobs.finish(this.transactions.manager, job.corpId, job.id, { status: 'failed', errors: [], failure });
    }
  }

  private readFile(kind: ImportKind, csv: string): { rows: { line: number; values: RowValues<string> }[] } | { errors: RowError[] } {
    let records: CsvRecord[];
    try {
      records = parseCsv(csv);
    } catch (error) {
      if (error instanceof CsvSyntaxError) return { errors: [{ line: error.line, field: '', reason: error.message }] };
      throw error;
    }
    const [header, ...data] = records;
    if (!header) return { errors: [{ line: 1, field: '', reason: 'the file is empty; its first line must be the header' }] };
    const columns: readonly Column[] = kind === 'members' ? MEMBER_COLUMNS : DEPARTMENT_COLUMNS;
    const { positions, errors } = readHeader(columns, header.fields);
    if (errors.length > 0) return { errors };
    if (data.length === 0) return { errors: [{ line: header.line + 1, field: '', reason: 'the file has a header but no rows' }] };
    if (data.length > MAX_IMPORT_ROWS)
      return { errors: [{ line: 0, field: '', reason: `a file holds at most ${MAX_IMPORT_ROWS} rows; split it` }] };
    return { rows: data.map((r) => ({ line: r.line, values: rowValues(positions, r.fields) })) };
  }
}
