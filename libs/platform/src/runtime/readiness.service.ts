import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Infrastructure } from './infrastructure';
import { INFRA } from './tokens';

interface DependencyChecks {
  database: boolean;
  broker: boolean;
  pubsub: boolean;
}

export interface ReadinessReport {
  ready: boolean;
  /** The dependencies, `accepting` (false once stopping), and each startup gate still held or released. */
  checks: DependencyChecks & { accepting: boolean } & Record<string, boolean>;
}

/** How often the dependencies are checked in the background. */
const CHECK_EVERY_MS = 1_000;
/** A dependency that takes longer than this to answer counts as down. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([check.catch(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}

/**
 * /readyz. The dependencies are checked in the background and a probe reads the last result: a
 * broker or Redis that does not answer would otherwise hold each probe for the check's timeout,
 * and a probe with a shorter timeout (kubelet's default is 1 s) sees a timeout instead of a 503.
 * A service may also hold readiness behind named gates until its own start-up work is done.
 */
@Injectable()
export class ReadinessService implements OnModuleDestroy {
  private accepting = true;
  private dependencies?: DependencyChecks;
  private checking?: Promise<void>;
  private readonly firstCheck: Promise<void>;
  private readonly timer: NodeJS.Timeout;
  private readonly gates = new Map<string, boolean>();

  constructor(@Inject(INFRA) private readonly infra: Infrastructure) {
    this.firstCheck = this.refresh();
    this.timer = setInterval(() => void this.refresh(), CHECK_EVERY_MS).unref();
  }

  /** Called on SIGTERM: readiness fails first so the load balancer stops sending work. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Not ready until `release(name)`: start-up work the service must finish before it takes traffic. */
  hold(name: string): void {
    this.gates.set(name, false);
  }

  release(name: string): void {
    this.gates.set(name, true);
  }

  /** The last known state; only the very first probe waits for the first round of checks. */
  async check(): Promise<ReadinessReport> {
    if (!this.dependencies) await this.firstCheck;
    const dependencies = this.dependencies ?? { database: false, broker: false, pubsub: false };
    const checks = { ...dependencies, accepting: this.accepting, ...Object.fromEntries(this.gates) };
    return { ready: Object.values(checks).every(Boolean), checks };
  }

  /** Checks every dependency now (one round at a time) and keeps the result. */
  refresh(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const [database, broker, pubsub] = await Promise.all([
          withTimeout(
            this.infra.dataSource.query('SELECT 1').then(() => true),
            CHECK_TIMEOUT_MS,
          ),
          withTimeout(this.infra.broker.ping(), CHECK_TIMEOUT_MS),
          withTimeout(this.infra.pubsub.ping(), CHECK_TIMEOUT_MS),
        ]);
        this.dependencies = { database, broker, pubsub };
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
