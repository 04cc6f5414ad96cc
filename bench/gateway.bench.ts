import { HttpClient } from './http-client';
import { closedLoop, ErrorTally, openLoop, Operation, PhaseResult, RequestFailure } from './load';
import { round, summarize } from './stats';
import { BenchContext, BenchModule, BenchOutcome, MetricExtras } from './types';

/**
 * Gateway: password logins (argon2id in the directory service, a session row in the gateway) and
 * authenticated reads (JWT check, revocation check, a gRPC call to the directory) of GET /api/v1/me.
 */

interface Settings {
  warmupMs: number;
  durationMs: number;
  loginConcurrency: number;
  meConcurrency: number;
  /** A moderate rate for the open-loop latency of /me: well below saturation. */
  meOpenLoopRate: number;
  /** The same for logins, which cost tens of ms of CPU each. */
  loginOpenLoopRate: number;
}

// The open-loop rates are fixed (comparable from run to run) and meant to sit well below what the
// closed loops sustain; a run where they do not is flagged "near_saturation" (its latency is queueing).
const QUICK: Settings = {
  warmupMs: 2_000,
  durationMs: 5_000,
  loginConcurrency: 8,
  meConcurrency: 16,
  meOpenLoopRate: 50,
  loginOpenLoopRate: 5,
};
const FULL: Settings = {
  warmupMs: 5_000,
  durationMs: 20_000,
  loginConcurrency: 8,
  meConcurrency: 16,
  meOpenLoopRate: 50,
  loginOpenLoopRate: 5,
};
const SATURATION_WARNING = 0.7;

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const snippet = (body: string) => (body.length > 160 ? `${body.slice(0, 160)}…` : body);

async function login(client: HttpClient, context: BenchContext): Promise<string> {
  const { corp, account, password } = context.target;
  const response = await client.send({ method: 'POST', path: '/api/v1/auth/login', body: JSON.stringify({ corp, account, password }) });
  if (response.status !== 200) throw new RequestFailure(`POST /api/v1/auth/login → HTTP ${response.status} ${snippet(response.body)}`);
  const token = parseJson(response.body)?.accessToken;
  if (typeof token !== 'string' || token === '')
    throw new RequestFailure(`POST /api/v1/auth/login → 200 without an accessToken: ${snippet(response.body)}`);
  return token;
}

async function me(client: HttpClient, context: BenchContext, accessToken: string): Promise<void> {
  const response = await client.send({ method: 'GET', path: '/api/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
  if (response.status !== 200) throw new RequestFailure(`GET /api/v1/me → HTTP ${response.status} ${snippet(response.body)}`);
  const userid = parseJson(response.body)?.userid;
  if (userid !== context.target.account) throw new RequestFailure(`GET /api/v1/me → 200 for the wrong member: ${snippet(response.body)}`);
}

function emitLatencies(context: BenchContext, prefix: string, result: PhaseResult, extras: MetricExtras): void {
  if (result.latencies.length === 0) {
    context.log(`  ${prefix}: no successful request, no latency to report`);
    return;
  }
  const summary = summarize(result.latencies);
  const withSamples = { ...extras, samples: summary.count };
  context.emit(`${prefix}_p50`, round(summary.p50), 'ms', withSamples);
  context.emit(`${prefix}_p99`, round(summary.p99), 'ms', withSamples);
  context.log(
    `  ${prefix}: n=${summary.count} p50=${summary.p50.toFixed(2)} p90=${summary.p90.toFixed(2)} p99=${summary.p99.toFixed(2)} max=${summary.max.toFixed(2)} ms`,
  );
}

/** Runs a measured phase and adds how busy the platform and this generator were (100 % = one core). */
async function withCpu<T extends PhaseResult>(context: BenchContext, phase: () => Promise<T>): Promise<{ result: T; cpu: MetricExtras }> {
  const before = context.cpu();
  const result = await phase();
  const after = context.cpu();
  const seconds = result.elapsedMs / 1000;
  const cpu: MetricExtras = {};
  if (before.platformSeconds !== undefined && after.platformSeconds !== undefined) {
    cpu.platform_cpu_pct = round((100 * (after.platformSeconds - before.platformSeconds)) / seconds, 0);
  }
  cpu.loadgen_cpu_pct = round((100 * (after.generatorSeconds - before.generatorSeconds)) / seconds, 0);
  if (
    before.hostBusySeconds !== undefined &&
    after.hostBusySeconds !== undefined &&
    before.platformSeconds !== undefined &&
    after.platformSeconds !== undefined
  ) {
    // Everything else the machine ran meanwhile: well above zero means the numbers were taken on a busy machine.
    const others =
      after.hostBusySeconds -
      before.hostBusySeconds -
      (after.platformSeconds - before.platformSeconds) -
      (after.generatorSeconds - before.generatorSeconds);
    cpu.other_cpu_pct = round(Math.max(0, (100 * others) / seconds), 0);
  }
  context.log(
    `  cpu: ${Object.entries(cpu)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ')}`,
  );
  return { result, cpu };
}

function saturationCheck(context: BenchContext, what: string, rate: number, sustained: number | undefined): MetricExtras {
  if (sustained === undefined || rate <= SATURATION_WARNING * sustained) return {};
  context.log(
    `  WARNING: ${what} open-loop rate ${rate}/s is above ${SATURATION_WARNING * 100} % of the ${sustained}/s the closed loop sustained: its latency is mostly queueing`,
  );
  return { near_saturation: true };
}

const pause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function run(context: BenchContext): Promise<BenchOutcome> {
  const errors = new ErrorTally();
  try {
    await phases(context, errors);
  } catch (error) {
    // A request outside the load loops failed (e.g. the token login): the run stops here, but the
    // failures counted so far are still reported.
    errors.record('aborted', error);
    context.log(`run aborted: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (errors.total > 0) for (const line of errors.describe()) context.log(`  failed: ${line}`);
  return { errors: errors.total };
}

async function phases(context: BenchContext, errors: ErrorTally): Promise<void> {
  const settings = context.quick ? QUICK : FULL;
  const seconds = settings.durationMs / 1000;

  // A wrong password or a dead target is a set-up problem, not a benchmark result: stop right away.
  // (Each wrong password counts against the account's failed-login limit, so do not retry it.)
  const probe = new HttpClient(context.target.url, 1);
  try {
    await login(probe, context);
  } catch (error) {
    errors.record('first login', error);
    context.log(
      `cannot sign in as ${context.target.account}@${context.target.corp}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  } finally {
    probe.close();
  }

  let loginsPerSecond: number | undefined;
  let mePerSecond: number | undefined;

  // --- logins, closed loop -------------------------------------------------------------------
  {
    const client = new HttpClient(context.target.url, settings.loginConcurrency);
    const operation: Operation = () => login(client, context).then(() => undefined);
    try {
      context.log(`warm-up: logins, ${settings.loginConcurrency} clients, ${settings.warmupMs / 1000} s (not measured)`);
      await closedLoop({
        concurrency: settings.loginConcurrency,
        durationMs: settings.warmupMs,
        operation,
        errors,
        phase: 'login warm-up',
      });
      context.log(`logins: ${settings.loginConcurrency} clients, closed loop, ${seconds} s`);
      const { result, cpu } = await withCpu(context, () =>
        closedLoop({
          concurrency: settings.loginConcurrency,
          durationMs: settings.durationMs,
          operation,
          errors,
          phase: 'login closed loop',
        }),
      );
      const extras = { mode: 'closed-loop', concurrency: settings.loginConcurrency, duration_s: seconds };
      loginsPerSecond = round(result.latencies.length / (result.elapsedMs / 1000));
      context.emit('logins_per_second', loginsPerSecond, 'logins/s', { ...extras, ...cpu });
      emitLatencies(context, 'login_latency', result, extras);
    } finally {
      client.close();
    }
  }
  await pause(1_000);

  // --- GET /api/v1/me, closed loop, then open loop --------------------------------------------
  {
    const tokenClient = new HttpClient(context.target.url, 1);
    let accessToken: string;
    try {
      accessToken = await login(tokenClient, context);
    } finally {
      tokenClient.close();
    }

    const client = new HttpClient(context.target.url, settings.meConcurrency);
    const operation: Operation = () => me(client, context, accessToken);
    try {
      context.log(`warm-up: GET /api/v1/me, ${settings.meConcurrency} clients, ${settings.warmupMs / 1000} s (not measured)`);
      await closedLoop({ concurrency: settings.meConcurrency, durationMs: settings.warmupMs, operation, errors, phase: 'me warm-up' });
      context.log(`GET /api/v1/me: ${settings.meConcurrency} clients, closed loop, ${seconds} s`);
      const { result, cpu } = await withCpu(context, () =>
        closedLoop({ concurrency: settings.meConcurrency, durationMs: settings.durationMs, operation, errors, phase: 'me closed loop' }),
      );
      const extras = { mode: 'closed-loop', concurrency: settings.meConcurrency, duration_s: seconds };
      mePerSecond = round(result.latencies.length / (result.elapsedMs / 1000));
      context.emit('authenticated_requests_per_second', mePerSecond, 'req/s', { ...extras, ...cpu });
      emitLatencies(context, 'authenticated_request', result, extras);
    } finally {
      client.close();
    }
    await pause(1_000);

    // A fresh pool: open-loop sends may overlap, so allow more connections than the closed loop.
    const openClient = new HttpClient(context.target.url, 64);
    try {
      context.log(`GET /api/v1/me: open loop at ${settings.meOpenLoopRate} req/s, ${seconds} s`);
      const { result, cpu } = await withCpu(context, () =>
        openLoop({
          ratePerSecond: settings.meOpenLoopRate,
          durationMs: settings.durationMs,
          operation: () => me(openClient, context, accessToken),
          errors,
          phase: 'me open loop',
        }),
      );
      const extras = {
        mode: 'open-loop',
        rate: settings.meOpenLoopRate,
        duration_s: seconds,
        ...saturationCheck(context, 'GET /api/v1/me', settings.meOpenLoopRate, mePerSecond),
      };
      emitLatencies(context, 'authenticated_request_open_loop', result, extras);
      const lag = summarize(result.sendLags);
      context.emit('authenticated_request_open_loop_rate', round(result.latencies.length / (result.elapsedMs / 1000)), 'req/s', {
        ...extras,
        ...cpu,
        send_lag_p99_ms: round(lag.p99),
        max_in_flight: result.maxInFlight,
      });
    } finally {
      openClient.close();
    }
  }
  await pause(1_000);

  // --- logins, open loop at a moderate rate ----------------------------------------------------
  {
    const client = new HttpClient(context.target.url, 16);
    try {
      context.log(`logins: open loop at ${settings.loginOpenLoopRate} logins/s, ${seconds} s`);
      const { result, cpu } = await withCpu(context, () =>
        openLoop({
          ratePerSecond: settings.loginOpenLoopRate,
          durationMs: settings.durationMs,
          operation: () => login(client, context).then(() => undefined),
          errors,
          phase: 'login open loop',
        }),
      );
      emitLatencies(context, 'login_latency_open_loop', result, {
        mode: 'open-loop',
        rate: settings.loginOpenLoopRate,
        duration_s: seconds,
        ...saturationCheck(context, 'login', settings.loginOpenLoopRate, loginsPerSecond),
        ...cpu,
      });
    } finally {
      client.close();
    }
  }
}

export const gatewayBench: BenchModule = {
  description: 'POST /api/v1/auth/login and GET /api/v1/me through the gateway (throughput, p50/p99 latency)',
  run,
};
