import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { ArchiveService } from '../archive/archive.service';
import { AccessControl } from '../compliance/access-control.service';
import { ownRecord } from '../compliance/own-records';
import { KeyRing } from '../crypto/key-ring.service';
import { ArchivePolicy, PolicyRepository } from './policy.repository';

const MAX_RETENTION_DAYS = 36_500;

@Injectable()
export class PolicyService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly access: AccessControl,
    private readonly policies: PolicyRepository,
    private readonly archive: ArchiveService,
    private readonly keys: KeyRing,
  ) {}

  async get(caller: CallerIdentity): Promise<ArchivePolicy> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.policies.get(this.db, caller.corpId);
  }

  async set(caller: CallerIdentity, policy: ArchivePolicy): Promise<ArchivePolicy> {
    this.access.requireSuperAdmin(caller);
    if (!Number.isInteger(policy.retentionDays) || policy.retentionDays < 0 || policy.retentionDays > MAX_RETENTION_DAYS) {
      throw new ValidationError(`retentionDays must be 0 (forever) to ${MAX_RETENTION_DAYS}`);
    }
    await this.transactions.run(async (tx) => {
      await this.policies.save(tx, caller.corpId, policy, caller.userId);
      await this.archive.append(tx, [ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.policy.changed', { ...policy })]);
    });
    return policy;
  }

  /** A new KEK version for the caller's corp; records keep their data keys, re-wrapped. */
  async rotateKey(caller: CallerIdentity): Promise<{ kekVersion: number; rewrapped: number }> {
    this.access.requireSuperAdmin(caller);
    const rotated = await this.keys.rotate(caller.corpId);
    await this.transactions.run((tx) =>
      this.archive.append(tx, [ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.key.rotated', { ...rotated })]),
    );
    return rotated;
  }
}
