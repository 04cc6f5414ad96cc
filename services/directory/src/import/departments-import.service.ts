import { Inject, Injectable } from '@nestjs/common';
import { DepartmentCreated, DepartmentMoved, DepartmentUpdated } from '@atrium/contracts';
import { CallerIdentity, EVENT_BUS, EventBus, TRANSACTIONS, TransactionRunner, Tx } from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { departmentSnapshot, ROOT_DEPARTMENT_ID } from '../departments/department';
import { DepartmentsRepository } from '../departments/departments.repository';
import { MembersRepository } from '../members/members.repository';
import { DepartmentChange, DepartmentRow, departmentLeaderReferences, planDepartmentImport } from './departments-import';
import { DirectoryBulkRepository } from './directory-bulk.repository';
import { JobRecorder } from './import-job-recorder';

/** Departments written per statement: large enough to amortise round trips. */
const BATCH_SIZE = 2_000;

/** A department import job's work once its file is read: validate and apply under the tree lock. */
@Injectable()
export class DepartmentsImportService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly bulk: DirectoryBulkRepository,
    private readonly departments: DepartmentsRepository,
    private readonly members: MembersRepository,
    private readonly scopes: AdminScopesService,
  ) {}

  /**
   * Departments validate and apply in one transaction that holds the corp's tree lock, so the tree
   * they are checked against is the tree they are written into (a corp has at most 30,000
   * departments: this is seconds, not minutes). In partial mode too: the good rows commit together.
   * Its progress is written in that transaction too (pollers see it at the end): a write through
   * another connection would wait forever where there is only one (embedded mode).
   */
  async importDepartments(recorder: JobRecorder, caller: CallerIdentity, rows: DepartmentRow[]): Promise<void> {
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
          deniedAmong: (departments) => this.scopes.deniedAmong(tx, caller, 'manage_departments', departments),
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
    const base = { corpId, actor: caller.userId, department: departmentSnapshot(change.department) };
    if (!change.previous) {
      await this.bus.publish(tx, DepartmentCreated, corpId, base);
      return;
    }
    if (change.moved) await this.bus.publish(tx, DepartmentMoved, corpId, { ...base, fromParentId: change.previous.parentId });
    if (change.renamed || change.leadersChanged) await this.bus.publish(tx, DepartmentUpdated, corpId, base);
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
