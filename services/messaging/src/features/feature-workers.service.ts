import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppLogger, LOGGER } from '@atrium/platform';
import { BurnService } from '../burn/burn.service';
import { DepartmentGroupsService } from '../department-groups/department-groups.service';
import { RetentionService } from '../retention/retention.service';

interface Job {
  name: string;
  intervalMs: number;
  work: () => Promise<number>;
  running?: Promise<void>;
  timer?: NodeJS.Timeout;
}

/** After a consumer marks groups for a resync: soon, once its transaction has committed. */
const NUDGE_DELAY_MS = 100;

/**
 * The periodic work of every replica: the burn-after-reading purge, the retention sweep and the
 * department-group resync. Each round is safe on several replicas at once (advisory locks per
 * batch, or idempotent diffs); a job never overlaps itself within a replica.
 */
@Injectable()
export class FeatureWorkers implements OnModuleDestroy {
  private readonly jobs: Job[];
  private readonly resync: Job;
  private stopped = false;

  constructor(
    @Inject(LOGGER) private readonly logger: AppLogger,
    burn: BurnService,
    retention: RetentionService,
    groups: DepartmentGroupsService,
  ) {
    this.resync = { name: 'department group resync', intervalMs: 2_000, work: () => groups.resyncPending() };
    this.jobs = [
      { name: 'burn-after-reading purge', intervalMs: 60_000, work: () => burn.purge() },
      { name: 'message retention sweep', intervalMs: 3_600_000, work: () => retention.sweep() },
      this.resync,
    ];
  }

  start(): void {
    for (const job of this.jobs) {
      job.timer = setInterval(() => this.run(job), job.intervalMs);
      job.timer.unref();
    }
  }

  nudgeResync(): void {
    setTimeout(() => this.run(this.resync), NUDGE_DELAY_MS).unref();
  }

  private run(job: Job): void {
    if (this.stopped || job.running) return;
    job.running = job
      .work()
      .then((n) => {
        if (n > 0) this.logger.debug({ n }, `${job.name} done`);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, `${job.name} failed; retrying next round`))
      .finally(() => {
        job.running = undefined;
      });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const job of this.jobs) clearInterval(job.timer);
    await Promise.all(this.jobs.map((job) => job.running ?? Promise.resolve()));
  }
}
