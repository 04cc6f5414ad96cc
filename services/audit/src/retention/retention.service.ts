import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { ArchiveRepository } from '../archive/archive.repository';
import { ArchiveService } from '../archive/archive.service';
import { ownRecord } from '../compliance/own-records';
import { KeyRing } from '../crypto/key-ring.service';
import { KeysRepository } from '../crypto/keys.repository';
import { PolicyRepository } from '../policy/policy.repository';

const DAY_MS = 86_400_000;

/**
 * Retention by crypto-shredding: the data keys of the days past a corp's retention are destroyed
 * (and their index rows deleted); the records stay, unreadable, so the hash chain and the signed
 * checkpoints still verify.
 */
@Injectable()
export class RetentionService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly policies: PolicyRepository,
    private readonly keysRepository: KeysRepository,
    private readonly keys: KeyRing,
    private readonly archiveRepository: ArchiveRepository,
    private readonly archive: ArchiveService,
  ) {}

  /** Returns how many day keys were destroyed. */
  async sweep(now = new Date()): Promise<number> {
    let destroyed = 0;
    for (const { corpId, retentionDays } of await this.policies.withRetention(this.db)) {
      const cutoff = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - retentionDays * DAY_MS);
      const bucket = cutoff.toISOString().slice(0, 10);
      const ids = await this.transactions.run(async (tx) => {
        const shredded = await this.keysRepository.destroyRecordKeysBefore(tx, corpId, bucket);
        await this.archiveRepository.deleteIndexBefore(tx, corpId, cutoff);
        if (shredded.length > 0) {
          await this.archive.append(tx, [
            ownRecord(corpId, 'system', 'admin_action', 'audit.retention.shredded', { before: bucket, dataKeyIds: shredded }),
          ]);
        }
        return shredded;
      });
      if (ids.length > 0) this.keys.forget(corpId);
      destroyed += ids.length;
    }
    return destroyed;
  }
}
