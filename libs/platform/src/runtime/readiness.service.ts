import { Inject, Injectable } from '@nestjs/common';
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

/** A probe reuses a result younger than this; an older one is checked again. */
const FRESH_FOR_MS = 1_000;
/** How long a probe waits for that new check before it answers from the last known state. */
const PROBE_WAIT_MS = 500;
/** A dependency that takes longer than this to answer counts as down. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([check.catch(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}

/**
 * /readyz. The dependencies are checked when a probe asks, at most once per second: a timer
 * checking them every second whether anyone asked cost every idle service a query, a broker
 * request and a Redis PING each second. A probe waits a moment for that check and otherwise answers
 * from the last result: a broker or Redis that does not answer would hold it for the check's
 * timeout, and a probe with a shorter timeout (kubelet's default is 1 s) would see a timeout
 * instead of a 503. A service may also hold readiness behind named gates until its own start-up
 * work is done.
 */
@Injectable()
export class ReadinessService {
  private accepting = true;
  private dependencies?: DependencyChecks;
  private checking?: Promise<void>;
  private readonly firstCheck: Promise<void>;
  private checkedAt = 0;
  private readonly gates = new Map<string, boolean>();

  constructor(@Inject(INFRA) private readonly infra: Infrastructure) {
    this.firstCheck = this.refresh();
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

  /** The state now, or the last known one if the dependencies do not answer within `PROBE_WAIT_MS`. */
  async check(): Promise<ReadinessReport> {
    if (!this.dependencies) await this.firstCheck;
    else if (Date.now() - this.checkedAt >= FRESH_FOR_MS) {
      const refreshed = this.refresh();
      await Promise.race([refreshed, new Promise((resolve) => setTimeout(resolve, PROBE_WAIT_MS).unref())]);
    }
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
        this.checkedAt = Date.now();
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }
}
