import { Inject, Injectable } from '@nestjs/common';
import { AppLogger, LOGGER, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { JobLockRepository } from '../features/job-lock.repository';
import { CorpPoliciesRepository } from '../policies/corp-policies.repository';
import { RetentionRepository } from './retention.repository';

const RETENTION_JOB = 'messaging:retention';
const DAY_MS = 86_400_000;
const BATCH = 1_000;

/**
 * Message retention: content older than a corp's `message_retention_days` leaves messaging. The
 * messages stay as tombstones (`expired`, no content), so every sequence stays gap-free and a
 * client syncing from any seq still gets "no gaps, no duplicates". The compliance archive keeps
 * its own copy under its own retention, independent of this one.
 */
@Injectable()
export class RetentionService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly policies: CorpPoliciesRepository,
    private readonly retention: RetentionRepository,
    private readonly locks: JobLockRepository,
  ) {}

  /** One sweep, corp by corp, batch by batch; `now` is injectable. Returns how many messages expired. */
  async sweep(now = new Date(), batchSize = BATCH): Promise<number> {
    let expired = 0;
    for (const { corpId, retentionDays } of await this.policies.withRetention(this.transactions.manager)) {
      const before = new Date(now.getTime() - retentionDays * DAY_MS);
      let corpExpired = 0;
      for (;;) {
        const n = await this.transactions.run(async (tx) =>
          (await this.locks.tryLock(tx, RETENTION_JOB)) ? this.retention.expireBatch(tx, corpId, before, now, batchSize) : null,
        );
        // Another replica holds the job: this round is theirs.
        if (n === null) return expired + corpExpired;
        corpExpired += n;
        if (n < batchSize) break;
      }
      if (corpExpired > 0)
        this.logger.info({ corpId, expired: corpExpired, before: before.toISOString() }, 'messages past retention expired');
      expired += corpExpired;
    }
    return expired;
  }
}
