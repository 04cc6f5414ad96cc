import { setTimeout as delay } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  DepartmentCreated,
  DepartmentMoved,
  DepartmentUpdated,
  MemberCreated,
  MemberDeleted,
  MemberDisabled,
  MemberEnabled,
  MemberUpdated,
} from '@atrium/contracts';
import {
  analyzeChangedTables,
  AppLogger,
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  LOGGER,
  NotFoundError,
  outboxRowsStatement,
  SqlStatement,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { Permission } from '../admin/admin-scope';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { Department, ROOT_DEPARTMENT_ID } from '../departments/department';
import { DepartmentsRepository } from '../departments/departments.repository';
import { Member } from '../members/member';
import { MembersRepository } from '../members/members.repository';
import { memberSnapshot } from '../members/members.service';
import { MemberSearchService } from '../search/member-search.service';
import { CsvRecord, CsvSyntaxError, formatCsv, parseCsv } from './csv';
import { DepartmentChange, DepartmentRow, departmentLeaderReferences, planDepartmentImport } from './departments-import';
import { ApplyChunks, ChunkSizer } from './apply-chunks';
import { DirectoryBulkRepository } from './directory-bulk.repository';
import {
  Column,
  DEPARTMENT_COLUMNS,
  departmentRecord,
  headerRecord,
  IMPORT_KINDS,
  ImportKind,
  MEMBER_COLUMNS,
  memberRecord,
  readHeader,
  RowError,
  rowValues,
  RowValues,
  splitList,
} from './import-formats';
import { IMPORT_MODES, ImportJob, ImportMode } from './import-job';
import { ImportInterrupted, JobLost, JobRecorder } from './import-job-recorder';
import { ImportJobsRepository } from './import-jobs.repository';
import { MemberChange, memberReferences, MemberRow, planMemberImport } from './members-import';

/** Departments written per statement: large enough to amortise round trips. */
const BATCH_SIZE = 2_000;
/**
 * Members applied per transaction: ~0.5 s of database work on PGlite, whose single backend serves
 * one transaction at a time (embedded mode has one connection per service). Between two of them
 * the connection is free, so the service's other callers are answered during an import.
 */
export const APPLY_CHUNK = 500;
/**
 * On a single connection (embedded mode) every other caller of the service queues behind the
 * chunk in progress, so chunks are sized by time, not by a count: each about this long, however
 * busy the machine and whatever a row costs (ChunkSizer). A caller then waits a fraction of a
 * second, far from a gRPC deadline.
 */
const SINGLE_CONNECTION_CHUNK_MS = 250;
const SINGLE_CONNECTION_APPLY_CHUNK = { initial: 100, min: 10, max: 1_000 };
/** What a member import writes: the tables whose statistics it keeps current on PGlite. */
const IMPORTED_TABLES = ['members', 'member_departments', 'subtree_members', 'member_search_terms'];
/** After each chunk on a single connection, a pause of this fraction of the chunk's time. */
const SINGLE_CONNECTION_PAUSE = 0.25;
/** A file larger than this is refused: split it (validation holds the whole file in memory). */
export const MAX_IMPORT_ROWS = 200_000;
/** How often a running job's process vouches for it, and after how long without that it is presumed dead. */
const HEARTBEAT_MS = 10_000;
const ABANDONED_AFTER_SECONDS = 60;

const snapshot = (d: Department) => ({
  id: d.id,
  parentId: d.parentId,
  name: d.name,
  nameEn: d.nameEn,
  order: d.order,
  path: d.path,
  leaders: d.leaders,
});

/**
 * Bulk import and export of the directory as CSV (formats in import-formats.ts). StartImport
 * records a job and returns; the job validates every row without writing, then applies the good
 * ones in set-at-a-time batches with their events in the same transactions. Jobs run in this
 * process: shutdown interrupts them at the next batch (the transaction rolls back) and marks them
 * failed; a job whose process died is failed by whichever instance notices its stale heartbeat.
 */
@Injectable()
export class ImportService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly jobs: ImportJobsRepository,
    private readonly bulk: DirectoryBulkRepository,
    private readonly departments: DepartmentsRepository,
    private readonly members: MembersRepository,
    private readonly scopes: AdminScopesService,
    private readonly search: MemberSearchService,
  ) {}

  async startImport(caller: CallerIdentity, input: { kind: string; mode: string; csv: string }): Promise<ImportJob> {
    const kind = this.parseKind(input.kind);
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

  /**
   * The directory in the import format. A sub-admin gets the departments of their scope and the
   * members in at least one of them; offboarded members are left out (they cannot be imported).
   */
  async exportDirectory(caller: CallerIdentity, kindText: string): Promise<string> {
    const kind = this.parseKind(kindText);
    const tx = this.transactions.manager;
    if ((await this.scopes.firstDenied(tx, caller.corpId, caller, 'view', [])) === null)
      throw new DomainError('FORBIDDEN', 'only an administrator may export the directory');
    const departments = await this.departments.subtree(tx, caller.corpId, ROOT_DEPARTMENT_ID);
    const denied = await this.deniedAmong(tx, caller, 'view', departments);
    const visible = departments.filter((d) => !denied.has(d));
    if (kind === 'departments') return formatCsv([headerRecord(DEPARTMENT_COLUMNS), ...visible.map(departmentRecord)]);
    const visibleIds = new Set(visible.map((d) => d.id));
    const members = (await this.bulk.currentMembers(tx, caller.corpId)).filter(
      (m) => denied.size === 0 || m.departments.some((d) => visibleIds.has(d.departmentId)),
    );
    return formatCsv([headerRecord(MEMBER_COLUMNS), ...members.map(memberRecord)]);
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

  private parseKind(kind: string): ImportKind {
    if (!IMPORT_KINDS.includes(kind as ImportKind))
      throw new ValidationError(`kind must be one of ${IMPORT_KINDS.join(', ')}`, { field: 'kind' });
    return kind as ImportKind;
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
      if (job.kind === 'members') await this.importMembers(recorder, caller, parsed.rows);
      else await this.importDepartments(recorder, caller, parsed.rows);
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

  /**
   * Members validate outside any transaction (reads only), then apply in chunks of APPLY_CHUNK
   * rows, each its own short transaction that also counts the chunk in processed_rows, so other
   * callers interleave with an import of any size (on PGlite one transaction excludes every other
   * caller). all_or_nothing keeps its promise by refusing a file with any bad row before writing
   * anything, and by reverting the committed chunks if a later one fails; the last chunk commits
   * with the outcome, so the job is done if and only if all its rows are in. Readers may see a
   * running import's first chunks (as with partial); see docs for the trade-off.
   */
  private async importMembers(recorder: JobRecorder, caller: CallerIdentity, rows: MemberRow[]): Promise<void> {
    const { job } = recorder;
    const tx = this.transactions.manager;
    const corpId = job.corpId;
    const references = memberReferences(rows);
    const departments = new Map((await this.departments.subtree(tx, corpId, ROOT_DEPARTMENT_ID)).map((d) => [d.id, d]));
    const existing = await this.bulk.membersByUserids(tx, corpId, references.userids);
    // Scope covers the departments the file names and those the members are in now.
    const touched = new Set<Department>();
    for (const { values } of rows) {
      for (const id of splitList(values.departments ?? '')) {
        const department = departments.get(Number(id));
        if (department) touched.add(department);
      }
    }
    for (const member of existing.values()) {
      for (const { departmentId } of member.departments) {
        const department = departments.get(departmentId);
        if (department) touched.add(department);
      }
    }
    const denied = await this.deniedAmong(tx, caller, 'manage_members', [...touched]);
    const plan = await planMemberImport(
      rows,
      {
        corpId,
        departments,
        existing,
        mobileHolders: await this.bulk.mobileHolders(tx, corpId, references.mobiles),
        emailHolders: await this.bulk.emailHolders(tx, corpId, references.emails),
        knownLeaders: await this.members.existing(tx, corpId, references.leaders),
        denied: new Set([...denied].map((d) => d.id)),
        partial: job.mode === 'partial',
      },
      (checked) => recorder.progress({ processedRows: checked }),
    );
    if (plan.errors.length > 0 && (job.mode === 'all_or_nothing' || plan.changes.length === 0)) {
      await recorder.complete({ status: 'invalid', processedRows: rows.length, errors: plan.errors });
      return;
    }

    await recorder.progress({ status: 'applying', processedRows: 0 });
    const single = this.transactions.connections === 1;
    const chunks = new ApplyChunks(plan.changes);
    if (chunks.done) {
      await recorder.complete({ status: 'done', processedRows: 0, errors: plan.errors });
      return;
    }
    const sizer = single ? new ChunkSizer(SINGLE_CONNECTION_CHUNK_MS, SINGLE_CONNECTION_APPLY_CHUNK) : undefined;
    const applied: MemberChange[][] = [];
    let done = 0;
    try {
      while (!chunks.done) {
        const batch = chunks.take(sizer?.size ?? APPLY_CHUNK);
        const last = chunks.done;
        // Everything the job writes while its transaction is open goes through that transaction:
        // with one connection (embedded mode) a write through another one waits for it forever.
        const chunkStarted = performance.now();
        await this.transactions.run(async (tx) => {
          await this.applyMembers(tx, caller, batch);
          if (!last) await recorder.progress({ processedRows: done + batch.length }, tx);
          // The last chunk commits with the outcome: the job is done if and only if every row is in.
          else await recorder.complete({ status: 'done', processedRows: done + batch.length, errors: plan.errors }, tx);
        });
        const chunkMs = performance.now() - chunkStarted;
        applied.push(batch);
        done += batch.length;
        if (job.mode === 'partial') recorder.applied = done;
        if (!single) continue;
        sizer?.record(batch.length, chunkMs);
        // PGlite runs no autovacuum: without fresh statistics the chunks grow ever slower as the
        // tables fill (see analyzeChangedTables). Also after the last chunk, for the readers.
        await this.refreshStatistics(job.id);
        // On a single connection the import leaves a share of the service's database time to the
        // outbox relay and to pollers, however long a chunk takes on a busy machine. Callers already
        // queued for the connection need no pause: the pool hands it out first come, first served,
        // so they are answered before the next chunk starts.
        if (!last) await delay(chunkMs * SINGLE_CONNECTION_PAUSE);
      }
    } catch (error) {
      if (job.mode === 'all_or_nothing' && applied.length > 0) {
        try {
          await this.revertMembers(caller, applied);
        } catch (revertError) {
          recorder.applied = done;
          this.logger.error({ err: revertError, jobId: job.id }, 'import job: could not revert the rows it had applied');
        }
      }
      throw error;
    }
  }

  /** Best effort: stale statistics make the import slow, not wrong, and the job may already be done. */
  private async refreshStatistics(jobId: string): Promise<void> {
    try {
      await analyzeChangedTables(this.transactions.manager, IMPORTED_TABLES);
    } catch (error) {
      this.logger.warn({ err: error, jobId }, 'import job: could not refresh the statistics of the tables it writes');
    }
  }

  /**
   * Undoes committed chunks of an all_or_nothing import that could not finish (a database error,
   * a shutdown), last chunk first, each in its own transaction: members it created are deleted,
   * the others get back the attributes, departments and search terms they had before, and the
   * events say so, so consumers that saw the import see it undone.
   */
  private async revertMembers(caller: CallerIdentity, applied: MemberChange[][]): Promise<void> {
    const corpId = caller.corpId;
    for (const batch of [...applied].reverse()) {
      await this.transactions.run(async (tx) => {
        const created = batch.filter((c) => !c.previous).map((c) => c.member.userid);
        const restored = batch.filter((c): c is MemberChange & { previous: Member } => !!c.previous && c.changed.length > 0);
        // The imported contacts go first: a member may get back a mobile another one took over.
        await this.bulk.releaseContacts(
          tx,
          corpId,
          restored.map((c) => ({ userid: c.member.userid, mobile: true, email: true })),
        );
        await this.bulk.deleteMembers(tx, corpId, created);
        const previous = restored.map((c) => c.previous);
        await this.bulk.upsertMembers(tx, corpId, previous);
        await this.bulk.replaceMemberships(
          tx,
          corpId,
          previous,
          previous.map((m) => m.userid),
        );
        await this.search.indexMembers(tx, previous);
        const events: SqlStatement[] = created.map(
          (userid) => this.bus.prepare(MemberDeleted, corpId, { corpId, actor: caller.userId, userid }).statement,
        );
        for (const { member, previous: before, changed } of restored) {
          const event = { corpId, actor: caller.userId, member: memberSnapshot(before) };
          events.push(this.bus.prepare(MemberUpdated, corpId, { ...event, changed }).statement);
          if (before.status !== member.status) {
            const payload = { corpId, actor: caller.userId, userid: before.userid };
            events.push(this.bus.prepare(before.status === 'active' ? MemberEnabled : MemberDisabled, corpId, payload).statement);
          }
        }
        if (events.length === 0) return;
        const outbox = outboxRowsStatement(events);
        await tx.query(outbox.text, outbox.values);
      });
    }
    this.logger.warn({ corpId, reverted: applied.flat().length }, 'import job: reverted the rows it had applied');
  }

  private async applyMembers(tx: Tx, caller: CallerIdentity, batch: MemberChange[]): Promise<void> {
    const corpId = caller.corpId;
    const writes = batch.filter((c) => !c.previous || c.changed.length > 0);
    if (writes.length === 0) return;
    await this.bulk.releaseContacts(
      tx,
      corpId,
      writes.flatMap(({ previous, member }) => {
        const mobile = !!previous?.mobile && previous.mobile !== member.mobile;
        const email = !!previous?.email && previous.email.toLowerCase() !== member.email.toLowerCase();
        return mobile || email ? [{ userid: member.userid, mobile, email }] : [];
      }),
    );
    await this.bulk.upsertMembers(
      tx,
      corpId,
      writes.map((c) => c.member),
    );
    const regrouped = writes.filter((c) => !c.previous || c.changed.includes('departments'));
    await this.bulk.replaceMemberships(
      tx,
      corpId,
      regrouped.map((c) => c.member),
      regrouped.filter((c) => c.previous).map((c) => c.member.userid),
    );
    await this.search.indexMembers(
      tx,
      writes.filter((c) => !c.previous || c.changed.some((k) => SEARCHED_ATTRIBUTES.has(k))).map((c) => c.member),
    );
    // One event per member, as the API emits, written as one outbox statement for the whole batch.
    const events: SqlStatement[] = [];
    for (const { member, previous, changed } of writes) {
      const event = { corpId, actor: caller.userId, member: memberSnapshot(member) };
      if (!previous) {
        events.push(this.bus.prepare(MemberCreated, corpId, event).statement);
        continue;
      }
      events.push(this.bus.prepare(MemberUpdated, corpId, { ...event, changed }).statement);
      if (previous.status !== member.status) {
        const payload = { corpId, actor: caller.userId, userid: member.userid };
        events.push(this.bus.prepare(member.status === 'active' ? MemberEnabled : MemberDisabled, corpId, payload).statement);
      }
    }
    const outbox = outboxRowsStatement(events);
    await tx.query(outbox.text, outbox.values);
  }

  /**
   * Departments validate and apply in one transaction that holds the corp's tree lock, so the tree
   * they are checked against is the tree they are written into (a corp has at most 30,000
   * departments: this is seconds, not minutes). In partial mode too: the good rows commit together.
   * Its progress is written in that transaction too (pollers see it at the end): a write through
   * another connection would wait forever where there is only one (embedded mode).
   */
  private async importDepartments(recorder: JobRecorder, caller: CallerIdentity, rows: DepartmentRow[]): Promise<void> {
    const corpId = recorder.job.corpId;
    const partial = recorder.job.mode === 'partial';
    await this.transactions.run(async (tx) => {
      await this.departments.lockTree(tx, corpId);
      const current = new Map((await this.departments.subtree(tx, corpId, ROOT_DEPARTMENT_ID)).map((d) => [d.id, d]));
      const plan = await planDepartmentImport(
        rows,
        {
          corpId,
          departments: current,
          knownLeaders: await this.members.existing(tx, corpId, departmentLeaderReferences(rows)),
          deniedAmong: (departments) => this.deniedAmong(tx, caller, 'manage_departments', departments),
          partial,
        },
        (checked) => recorder.progress({ processedRows: checked }, tx),
      );
      if (plan.errors.length > 0 && (!partial || plan.changes.length === 0)) {
        await recorder.complete({ status: 'invalid', processedRows: rows.length, errors: plan.errors }, tx);
        return;
      }
      await recorder.progress({ status: 'applying', processedRows: 0 }, tx);
      const good = rows.length - new Set(plan.errors.map((e) => e.line)).size;
      await this.bulk.parkNames(
        tx,
        corpId,
        plan.changes
          .filter((c) => c.previous && (c.previous.name !== c.department.name || c.previous.parentId !== c.department.parentId))
          .map((c) => c.department.id),
      );
      let written = 0;
      for (const batch of chunk(plan.changes, BATCH_SIZE)) {
        await this.bulk.upsertDepartments(
          tx,
          corpId,
          batch.map((c) => c.department),
        );
        written += batch.length;
        await recorder.progress({ processedRows: Math.min(good, written) }, tx);
      }
      await this.bulk.setPaths(tx, corpId, plan.paths);
      await this.bulk.replaceLeaders(
        tx,
        corpId,
        plan.changes.filter((c) => c.leadersChanged).map((c) => ({ id: c.department.id, leaders: c.department.leaders })),
      );
      // Parents' events before their children's, whatever the file's order: consumers replay the tree.
      const parentsFirst = [...plan.changes].sort((a, b) => a.department.path.length - b.department.path.length);
      for (const change of parentsFirst) await this.publishDepartmentChange(tx, caller, change);
      await recorder.complete({ status: 'done', processedRows: good, errors: plan.errors }, tx);
    });
  }

  private async publishDepartmentChange(tx: Tx, caller: CallerIdentity, change: DepartmentChange): Promise<void> {
    const corpId = caller.corpId;
    const base = { corpId, actor: caller.userId, department: snapshot(change.department) };
    if (!change.previous) {
      await this.bus.publish(tx, DepartmentCreated, corpId, base);
      return;
    }
    if (change.moved) await this.bus.publish(tx, DepartmentMoved, corpId, { ...base, fromParentId: change.previous.parentId });
    if (change.renamed || change.leadersChanged) await this.bus.publish(tx, DepartmentUpdated, corpId, base);
  }

  /**
   * Which of these departments the caller may not act on, asking AdminScopesService one question
   * per denied subtree rather than per department: deepest first, the departments before the
   * first denied one are allowed, and a denied department's ancestors are denied too (their paths
   * are prefixes of its path).
   */
  private async deniedAmong(tx: Tx, caller: CallerIdentity, permission: Permission, departments: Department[]): Promise<Set<Department>> {
    const denied = new Set<Department>();
    let rest = [...departments].sort((a, b) => b.path.length - a.path.length);
    while (rest.length > 0) {
      const found = await this.scopes.firstDenied(tx, caller.corpId, caller, permission, rest);
      if (found === undefined) break;
      if (found === null) return new Set(departments);
      denied.add(found);
      rest = rest.slice(rest.indexOf(found) + 1).filter((d) => {
        const ancestor = d.path.length <= found.path.length && d.path.every((id, i) => found.path[i] === id);
        if (ancestor) denied.add(d);
        return !ancestor;
      });
    }
    return denied;
  }
}

/** What the search index is built from: a member changed in nothing else keeps its terms. */
const SEARCHED_ATTRIBUTES = new Set(['name', 'alias', 'nameEn', 'mobile', 'email']);

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
