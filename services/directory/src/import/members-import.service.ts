import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { MemberCreated, MemberDeleted, MemberDisabled, MemberEnabled, MemberUpdated } from '@atrium/contracts';
import {
  analyzeChangedTables,
  AppLogger,
  CallerIdentity,
  EVENT_BUS,
  EventBus,
  LOGGER,
  outboxRowsStatement,
  SqlStatement,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
} from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { Department, ROOT_DEPARTMENT_ID } from '../departments/department';
import { DepartmentsRepository } from '../departments/departments.repository';
import { Member } from '../members/member';
import { MembersRepository } from '../members/members.repository';
import { memberSnapshot } from '../members/members.service';
import { MemberSearchService } from '../search/member-search.service';
import { ApplyChunks, ChunkSizer } from './apply-chunks';
import { DirectoryBulkRepository } from './directory-bulk.repository';
import { splitList } from './import-formats';
import { JobRecorder } from './import-job-recorder';
import { MemberChange, memberReferences, MemberRow, planMemberImport } from './members-import';

/**
 * Members applied per transaction: ~0.5 s of database work on PGlite, whose single backend serves
 * one transaction at a time (embedded mode has one connection per service). Between two of them
 * the connection is free, so the service's other callers are answered during an import.
 */
export const APPLY_CHUNK = 500;
/**
 * On a single connection (embedded mode) every other caller of the service queues behind the
 * chunk in progress, so chunks are sized by time, not by a count: each about this long, however
 * busy the machine and whatever a row costs (ChunkSizer). A caller then waits about half a
 * second, far from a gRPC deadline. At least 50 rows: on a starved CPU a chunk's fixed costs
 * (its progress row, the statistics check, the pause) would otherwise dominate and an import of
 * 20,000 rows did not finish in 15 minutes.
 */
const SINGLE_CONNECTION_CHUNK_MS = 500;
const SINGLE_CONNECTION_APPLY_CHUNK = { initial: 100, min: 50, max: 2_000 };
/** What a member import writes: the tables whose statistics it keeps current on PGlite. */
const IMPORTED_TABLES = ['members', 'member_departments', 'subtree_members', 'member_search_terms'];
/** After each chunk on a single connection, a pause of this fraction of the chunk's time. */
const SINGLE_CONNECTION_PAUSE = 0.25;
/** What the search index is built from: a member changed in nothing else keeps its terms. */
const SEARCHED_ATTRIBUTES = new Set(['name', 'alias', 'nameEn', 'mobile', 'email']);

/** A member import job's work once its file is read: validate, apply in chunks, or revert. */
@Injectable()
export class MembersImportService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly bulk: DirectoryBulkRepository,
    private readonly departments: DepartmentsRepository,
    private readonly members: MembersRepository,
    private readonly scopes: AdminScopesService,
    private readonly search: MemberSearchService,
  ) {}

  /**
   * Members validate outside any transaction (reads only), then apply in chunks of APPLY_CHUNK
   * rows, each its own short transaction that also counts the chunk in processed_rows, so other
   * callers interleave with an import of any size (on PGlite one transaction excludes every other
   * caller). all_or_nothing keeps its promise by refusing a file with any bad row before writing
   * anything, and by reverting the committed chunks if a later one fails; the last chunk commits
   * with the outcome, so the job is done if and only if all its rows are in. Readers may see a
   * running import's first chunks (as with partial); see docs for the trade-off.
   */
  async importMembers(recorder: JobRecorder, caller: CallerIdentity, rows: MemberRow[]): Promise<void> {
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
    const denied = await this.scopes.deniedAmong(tx, caller, 'manage_members', [...touched]);
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
}
