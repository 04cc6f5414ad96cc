import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DomainError, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { ROOT_DEPARTMENT_ID } from '../departments/department';
import { DepartmentsRepository } from '../departments/departments.repository';
import { formatCsv } from './csv';
import { DirectoryBulkRepository } from './directory-bulk.repository';
import { DEPARTMENT_COLUMNS, departmentRecord, headerRecord, MEMBER_COLUMNS, memberRecord, parseImportKind } from './import-formats';

/** The directory as CSV, in the import's own format (import-formats.ts). */
@Injectable()
export class DirectoryExportService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly bulk: DirectoryBulkRepository,
    private readonly departments: DepartmentsRepository,
    private readonly scopes: AdminScopesService,
  ) {}

  /**
   * The directory in the import format. A sub-admin gets the departments of their scope and the
   * members in at least one of them; offboarded members are left out (they cannot be imported).
   */
  async exportDirectory(caller: CallerIdentity, kindText: string): Promise<string> {
    const kind = parseImportKind(kindText);
    const tx = this.transactions.manager;
    if ((await this.scopes.firstDenied(tx, caller.corpId, caller, 'view', [])) === null)
      throw new DomainError('FORBIDDEN', 'only an administrator may export the directory');
    const departments = await this.departments.subtree(tx, caller.corpId, ROOT_DEPARTMENT_ID);
    const denied = await this.scopes.deniedAmong(tx, caller, 'view', departments);
    const visible = departments.filter((d) => !denied.has(d));
    if (kind === 'departments') return formatCsv([headerRecord(DEPARTMENT_COLUMNS), ...visible.map(departmentRecord)]);
    const visibleIds = new Set(visible.map((d) => d.id));
    const members = (await this.bulk.currentMembers(tx, caller.corpId)).filter(
      (m) => denied.size === 0 || m.departments.some((d) => visibleIds.has(d.departmentId)),
    );
    return formatCsv([headerRecord(MEMBER_COLUMNS), ...members.map(memberRecord)]);
  }
}
