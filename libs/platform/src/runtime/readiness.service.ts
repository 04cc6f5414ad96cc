import { Inject, Injectable } from '@nestjs/common';
import { Infrastructure } from './infrastructure';
import { INFRA } from './tokens';

export interface ReadinessReport {
  ready: boolean;
  checks: { database: boolean; broker: boolean; pubsub: boolean; accepting: boolean };
}

function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([check.catch(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}

@Injectable()
export class ReadinessService {
  private accepting = true;

  constructor(@Inject(INFRA) private readonly infra: Infrastructure) {}

  /** Called on SIGTERM: readiness fails first so the load balancer stops sending work. */
  stopAccepting(): void {
    this.accepting = false;
  }

  async check(): Promise<ReadinessReport> {
    const [database, broker, pubsub] = await Promise.all([
      withTimeout(
        this.infra.dataSource.query('SELECT 1').then(() => true),
        2_000,
      ),
      withTimeout(this.infra.broker.ping(), 2_000),
      withTimeout(this.infra.pubsub.ping(), 2_000),
    ]);
    const checks = { database, broker, pubsub, accepting: this.accepting };
    return { ready: database && broker && pubsub && this.accepting, checks };
  }
}
