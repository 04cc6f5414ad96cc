import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { ArchiveRepository } from '../archive/archive.repository';
import { ArchiveService } from '../archive/archive.service';
import { ownRecord } from '../compliance/own-records';
import { KeyRing } from '../crypto/key-ring.service';
import { KeysRepository } from '../crypto/keys.repository';
import { HoldsRepository } from '../holds/holds.repository';
import { PolicyRepository } from '../policy/policy.repository';
import { retentionCutoff } from './retention-cutoff';

/**
 * Retention by crypto-shredding: the data keys of the days past a corp's retention are destroyed
 * (and their index rows deleted); the records stay, unreadable, so the hash chain and the signed
 * checkpoints still verify. A day key with a record under an active legal hold is kept whole
 * (keys are per day, not per record); reads hide that day's other records past retention.
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
    private readonly holds: HoldsRepository,
  ) {}

  /** Returns how many day keys were destroyed. `now` is injectable for tests and backfills. */
  async sweep(now = new Date()): Promise<number> {
    let destroyed = 0;
    for (const { corpId, retentionDays } of await this.policies.withRetention(this.db)) {
      const bucket = retentionCutoff(now, retentionDays).toISOString().slice(0, 10);
      const shredded = await this.transactions.run(async (tx) => {
        // Holds change under the same lock: none appears between the check and the shredding.
        await this.holds.lockRetention(tx, corpId);
        const { destroyed: ids, held } = await this.keysRepository.destroyRecordKeysBefore(tx, corpId, bucket);
        await this.archiveRepository.deleteIndexOfKeys(tx, corpId, ids);
        if (ids.length > 0) {
          await this.archive.append(tx, [
            ownRecord(corpId, 'system', 'admin_action', 'audit.retention.shredded', {
              before: bucket,
              dataKeyIds: ids,
              keptForHolds: held,
            }),
          ]);
        }
        return ids;
      });
      if (shredded.length > 0) this.keys.forget(corpId);
      destroyed += shredded.length;
    }
    return destroyed;
  }
}
