/** What a benchmark module sees: where the platform is, how long to run, where results go. */

export interface BenchTarget {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080 (no trailing slash). */
  url: string;
  /** Corp "demo", account "admin" signs in with this password. */
  password: string;
  corp: string;
  account: string;
}

/** Extra keys on a result line, e.g. concurrency or mode. */
export type MetricExtras = Record<string, string | number | boolean>;

export interface BenchContext {
  target: BenchTarget;
  /** --quick: shorter phases, for a smoke check rather than numbers to quote. */
  quick: boolean;
  /** One result: becomes one JSON line on stdout. */
  emit(metric: string, value: number, unit: string, extras?: MetricExtras): void;
  /** Human progress, on stderr. */
  log(message: string): void;
  /** CPU time used so far by the platform (when it runs in a child process here) and by this load generator. */
  cpu(): CpuSample;
}

export interface CpuSample {
  platformSeconds?: number;
  generatorSeconds: number;
  /** Busy time of the whole machine (all cores): what is neither platform nor generator is someone else. */
  hostBusySeconds?: number;
}

export interface BenchOutcome {
  /** Failed requests (non-2xx, transport errors, timeouts, malformed answers) over all phases. */
  errors: number;
}

export interface BenchModule {
  description: string;
  /**
   * `embedded` (default): the runner starts the platform in embedded mode and passes its target.
   * `none`: the benchmark starts what it measures itself (e.g. six processes on the real servers).
   */
  platform?: 'embedded' | 'none';
  run(context: BenchContext): Promise<BenchOutcome>;
}
