import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppLogger, LOGGER } from '@atrium/platform';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.tokens';
import { CheckpointService } from '../integrity/checkpoint.service';
import { RetentionService } from '../retention/retention.service';

/** The periodic work of every replica (each round is safe to run on several at once). */
@Injectable()
export class ArchiveJobs implements OnModuleDestroy {
  private readonly timers: NodeJS.Timeout[] = [];
  private running = Promise.resolve();

  constructor(
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly checkpoints: CheckpointService,
    private readonly retention: RetentionService,
  ) {}

  start(): void {
    this.every(this.settings.checkpointIntervalMs, 'checkpoint', () => this.checkpoints.checkpointAll());
    this.every(this.settings.retentionSweepIntervalMs, 'retention sweep', () => this.retention.sweep());
  }

  private every(ms: number, what: string, work: () => Promise<number>): void {
    if (ms <= 0) return;
    const timer = setInterval(() => {
      this.running = this.running
        .then(work)
        .then((n) => {
          if (n > 0) this.logger.info({ n }, `audit ${what} done`);
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, `audit ${what} failed; retrying next round`));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  async onModuleDestroy(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.running;
  }
}
