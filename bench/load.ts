import { performance } from 'node:perf_hooks';

/**
 * The two load shapes. Closed loop: N clients, each sends its next request when the previous one
 * answered, so the rate is whatever the system sustains (throughput; latency there is mostly queueing).
 * Open loop: requests leave on a fixed schedule whatever the answers do (latency at a given rate).
 */

/** One request and the check of its answer; throws a RequestFailure (or any error) when it failed. */
export type Operation = () => Promise<void>;

export class RequestFailure extends Error {}

/** Failed requests of every phase, grouped by what went wrong, for the report on stderr. */
export class ErrorTally {
  total = 0;
  private readonly kinds = new Map<string, number>();

  record(phase: string, error: unknown): void {
    this.total += 1;
    const what = error instanceof Error ? error.message : String(error);
    const key = `${phase}: ${what.length > 200 ? `${what.slice(0, 200)}…` : what}`;
    this.kinds.set(key, (this.kinds.get(key) ?? 0) + 1);
  }

  describe(limit = 10): string[] {
    return [...this.kinds.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([kind, count]) => `${count} × ${kind}`);
  }
}

export interface PhaseResult {
  /** Latency of every successful request, in ms. */
  latencies: number[];
  failures: number;
  /** From the first send to the last answer. */
  elapsedMs: number;
}

export interface OpenLoopResult extends PhaseResult {
  sent: number;
  /** How late each request left compared with its schedule (the generator keeping up), in ms. */
  sendLags: number[];
  maxInFlight: number;
}

const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export async function closedLoop(options: {
  concurrency: number;
  durationMs: number;
  operation: Operation;
  errors: ErrorTally;
  phase: string;
}): Promise<PhaseResult> {
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      try {
        await options.operation();
        latencies.push(performance.now() - sentAt);
      } catch (error) {
        failures += 1;
        options.errors.record(options.phase, error);
        await delay(10); // a failing target answers fast; do not spin on it
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return { latencies, failures, elapsedMs: performance.now() - start };
}

export async function openLoop(options: {
  ratePerSecond: number;
  durationMs: number;
  operation: Operation;
  errors: ErrorTally;
  phase: string;
}): Promise<OpenLoopResult> {
  const latencies: number[] = [];
  const sendLags: number[] = [];
  let failures = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const intervalMs = 1000 / options.ratePerSecond;
  const count = Math.max(1, Math.round((options.ratePerSecond * options.durationMs) / 1000));
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    const scheduledAt = start + i * intervalMs;
    const wait = scheduledAt - performance.now();
    if (wait >= 1) await delay(wait);
    const sentAt = performance.now();
    sendLags.push(Math.max(0, sentAt - scheduledAt));
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      options.operation().then(
        () => {
          inFlight -= 1;
          latencies.push(performance.now() - sentAt);
        },
        (error: unknown) => {
          inFlight -= 1;
          failures += 1;
          options.errors.record(options.phase, error);
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, failures, elapsedMs: performance.now() - start, sent: count, sendLags, maxInFlight };
}
