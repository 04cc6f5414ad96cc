import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { ArchiveService } from '../archive/archive.service';
import { AccessControl } from './access-control.service';
import { OfficerGrant, OfficersRepository } from './officers.repository';
import { ownRecord } from './own-records';

const MAX_DEPARTMENTS = 100;
const INT32_MAX = 2_147_483_647;

/**
 * Compliance officers are granted by a super admin; every grant and revocation is archived with it.
 * An officer granted departments reads only records with a participant in one of their subtrees
 * (as the archive knew them when the record was archived); without departments, the whole corp.
 */
@Injectable()
export class OfficersService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly access: AccessControl,
    private readonly officers: OfficersRepository,
    private readonly archive: ArchiveService,
  ) {}

  async grant(caller: CallerIdentity, userid: string, departmentIds: number[]): Promise<OfficerGrant> {
    this.access.requireSuperAdmin(caller);
    if (!userid.trim()) throw new ValidationError('userid is required', { field: 'userid' });
    if (departmentIds.length > MAX_DEPARTMENTS || !departmentIds.every((id) => Number.isInteger(id) && id >= 1 && id <= INT32_MAX)) {
      throw new ValidationError(`departmentIds must be up to ${MAX_DEPARTMENTS} department ids`, { field: 'departmentIds' });
    }
    const scope = [...new Set(departmentIds)].sort((a, b) => a - b);
    return this.transactions.run(async (tx) => {
      const grant = await this.officers.upsert(tx, caller.corpId, { userid, departmentIds: scope, grantedBy: caller.userId });
      await this.archive.append(tx, [
        ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.officer.granted', { userid, departmentIds: scope }),
      ]);
      return grant;
    });
  }

  async revoke(caller: CallerIdentity, userid: string): Promise<boolean> {
    this.access.requireSuperAdmin(caller);
    return this.transactions.run(async (tx) => {
      const revoked = await this.officers.remove(tx, caller.corpId, userid);
      if (revoked)
        await this.archive.append(tx, [ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.officer.revoked', { userid })]);
      return revoked;
    });
  }

  async list(caller: CallerIdentity): Promise<OfficerGrant[]> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.officers.list(this.db, caller.corpId);
  }
}
