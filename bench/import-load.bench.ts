import { randomInt, randomUUID } from 'node:crypto';
import { SUPER_ADMIN_ROLE } from '@atrium/platform';
import { Client } from 'pg';
import { HttpClient, HttpResponse } from './http-client';
import { mintSessions } from './minted-sessions';
import { startPlatform } from './platform-process';
import { startServicesPlatform } from './services-platform';
import { percentile, round, summarize } from './stats';
import { BenchContext, BenchModule, BenchOutcome } from './types';

/**
 * What a member import does to everyone else: the whole platform on each database it runs on —
 * embedded mode (one process, PGlite, one connection per service) and six processes on the test
 * PostgreSQL, Redis and Kafka — a member import of 2,000 and of 20,000 rows (--quick: 2,000) in
 * all_or_nothing mode through the gateway, and meanwhile, on a fixed schedule, a member read
 * (GET /api/v1/directory/members/admin, every 250 ms) and a sign-in (POST /api/v1/auth/login,
 * every second). Then a 20 MB file without a line break (one huge, unknown header cell): how long
 * until it is refused, how large its job is, and the same probes meanwhile.
 *
 * Timed from the POST that starts the job to the first poll (every 500 ms) that sees it finished.
 * A probe that fails (non-2xx, no answer within 30 s) counts as an error and the run exits 1.
 */

const PROBE_READ_MS = 250;
const PROBE_LOGIN_MS = 1_000;
const POLL_MS = 500;
const JOB_TIMEOUT_MS = 15 * 60_000;
const FINISHED = ['done', 'invalid', 'failed'];

type Database = 'pglite' | 'postgres';

interface Platform {
  url: string;
  password: string;
  /** An access token of demo's admin signed with the platform's key, where sign-ins of admin may be rate-limited. */
  adminToken?(): Promise<string>;
  stop(): Promise<void>;
}

async function startOn(database: Database, context: BenchContext): Promise<Platform> {
  const log = (message: string) => context.log(message);
  if (database === 'pglite') return startPlatform({ log });
  const services = await startServicesPlatform({ gatewayReplicas: 1, log });
  const adminToken = async () => {
    const directory = new Client({ connectionString: services.databaseUrl('directory') });
    await directory.connect();
    let corpId: string;
    try {
      corpId = (await directory.query<{ id: string }>(`SELECT id FROM corps WHERE code = 'demo'`)).rows[0].id;
    } finally {
      await directory.end();
    }
    const tokens = await mintSessions(services.databaseUrl('gateway'), services.jwtSecret, corpId, [
      { userid: 'admin', roles: [SUPER_ADMIN_ROLE] },
    ]);
    return tokens.get('admin')!;
  };
  return { url: services.gatewayUrls[0], password: services.password, adminToken, stop: () => services.stop() };
}

const snippet = (body: string) => (body.length > 200 ? `${body.slice(0, 200)}… (${body.length} characters)` : body);

class Probe {
  readonly latencies: number[] = [];
  readonly failures: string[] = [];
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly send: () => Promise<HttpResponse>,
    private readonly everyMs: number,
  ) {}

  /** Open loop: a request leaves every `everyMs` whether or not the previous one was answered. */
  start(): void {
    this.timer = setInterval(() => {
      const started = performance.now();
      const request = this.send()
        .then((response) => {
          if (response.status >= 200 && response.status < 300) this.latencies.push(performance.now() - started);
          else this.failures.push(`HTTP ${response.status} ${snippet(response.body)}`);
        })
        .catch((error: unknown) => {
          this.failures.push(String(error));
        })
        .finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }, this.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }
}

const SEED_WAIT_MS = 60_000;

function membersCsv(rows: number, prefix: string): string {
  const lines = ['User ID,Name,Mobile,Email,Departments'];
  for (let i = 0; i < rows; i += 1) lines.push(`${prefix}${i},Member ${i},,${prefix}${i}@bench.example.com,1`);
  return `${lines.join('\r\n')}\r\n`;
}

export const importLoadBench: BenchModule = {
  description:
    'member imports (2,000 and 20,000 rows, a 20 MB malformed file) on PGlite and PostgreSQL, with member reads and sign-ins meanwhile',
  platform: 'none',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const sizes = process.env.ATRIUM_BENCH_IMPORT_ROWS
      ? process.env.ATRIUM_BENCH_IMPORT_ROWS.split(',').map(Number)
      : context.quick
        ? [2_000]
        : [2_000, 20_000];
    const databases = (process.env.ATRIUM_BENCH_DATABASES ?? 'pglite,postgres').split(',') as Database[];
    let errors = 0;
    for (const database of databases) {
      const platform = await startOn(database, context);
      // The six processes share the test Redis, where the gateway counts failed sign-ins per client
      // IP: other suites' deliberate failures from 127.0.0.1 would rate-limit this run's sign-ins.
      const loopback = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;
      const client = new HttpClient(platform.url, 16, 30_000, database === 'postgres' ? loopback : undefined);
      try {
        const bearer = (response: HttpResponse) => `Bearer ${(JSON.parse(response.body) as { accessToken: string }).accessToken}`;
        const signInAs = (account: string, password: string) => () =>
          client.send({ method: 'POST', path: '/api/v1/auth/login', body: JSON.stringify({ corp: 'demo', account, password }) });
        let authorization: string;
        let signIn: () => Promise<HttpResponse>;
        if (platform.adminToken) {
          // The shared test Redis counts failed sign-ins of demo/admin for every suite that runs one
          // on purpose: the probe signs in as a member of its own, created with a minted admin token.
          authorization = `Bearer ${await platform.adminToken()}`;
          const password = randomUUID();
          const created = await client.send({
            method: 'POST',
            path: '/api/v1/directory/members',
            headers: { authorization },
            body: JSON.stringify({
              userid: 'prober',
              name: 'Prober',
              email: 'prober@bench.example.com',
              departments: [{ departmentId: 1 }],
              password,
            }),
          });
          if (created.status !== 201) throw new Error(`creating the prober failed: HTTP ${created.status} ${snippet(created.body)}`);
          signIn = signInAs('prober', password);
        } else {
          const admin = signInAs('admin', platform.password);
          // /healthz answers ok once the services are up, which on a busy machine can be before the
          // demo corp's admin is seeded: a 401 then means "not yet", for a while.
          let signedIn = await admin();
          for (let waited = 0; signedIn.status === 401 && waited < SEED_WAIT_MS; waited += 1_000) {
            await new Promise((done) => setTimeout(done, 1_000));
            signedIn = await admin();
          }
          if (signedIn.status !== 200) throw new Error(`sign-in failed: HTTP ${signedIn.status} ${snippet(signedIn.body)}`);
          authorization = bearer(signedIn);
          // Each probe sign-in renews the token: an import may outlast one (15 min by default).
          signIn = async () => {
            const response = await admin();
            if (response.status === 200) authorization = bearer(response);
            return response;
          };
        }
        const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
          client.send({ method, path, headers: { authorization }, body: body === undefined ? undefined : JSON.stringify(body) });

        const runImport = async (label: string, csv: string, expected: string) => {
          const reads = new Probe(() => call('GET', '/api/v1/directory/members/admin'), PROBE_READ_MS);
          const logins = new Probe(signIn, PROBE_LOGIN_MS);
          const started = performance.now();
          reads.start();
          logins.start();
          let job: { id: string; status: string; processedRows: number; totalRows: number; errorCount: number } | undefined;
          let jobBytes = 0;
          try {
            const response = await call('POST', '/api/v1/directory/imports', { kind: 'members', mode: 'all_or_nothing', csv });
            if (response.status !== 202) throw new Error(`POST /imports → HTTP ${response.status} ${snippet(response.body)}`);
            const id = (JSON.parse(response.body) as { id: string }).id;
            for (;;) {
              await new Promise((done) => setTimeout(done, POLL_MS));
              const polled = await call('GET', `/api/v1/directory/imports/${id}`);
              if (polled.status !== 200) {
                errors += 1;
                context.log(`${database} ${label}: GET /imports/${id} → HTTP ${polled.status} ${snippet(polled.body)}`);
                continue;
              }
              jobBytes = Buffer.byteLength(polled.body);
              job = JSON.parse(polled.body) as typeof job;
              if (FINISHED.includes(job!.status)) break;
              if (performance.now() - started > JOB_TIMEOUT_MS) throw new Error(`import still ${job!.status} after 15 min`);
            }
          } finally {
            await Promise.all([reads.stop(), logins.stop()]);
          }
          const seconds = (performance.now() - started) / 1000;
          const extras = { database, import: label, status: job!.status };
          if (job!.status !== expected) {
            errors += 1;
            context.log(`${database} ${label}: job ${job!.status}, expected ${expected}: ${JSON.stringify(job).slice(0, 500)}`);
          }
          context.emit('import_seconds', round(seconds, 2), 's', { ...extras, rows: job!.totalRows });
          context.emit('import_job_bytes', jobBytes, 'B', extras);
          for (const [name, probe] of [
            ['member_read', reads],
            ['sign_in', logins],
          ] as const) {
            errors += probe.failures.length;
            for (const failure of probe.failures.slice(0, 3)) context.log(`${database} ${label}: ${name} failed: ${failure}`);
            context.emit(`${name}_errors`, probe.failures.length, 'count', extras);
            if (probe.latencies.length === 0) continue;
            const summary = summarize(probe.latencies);
            context.emit(`${name}_p50`, round(summary.p50, 1), 'ms', { ...extras, samples: summary.count });
            const p95 = percentile(
              [...probe.latencies].sort((a, b) => a - b),
              95,
            );
            context.emit(`${name}_p95`, round(p95, 1), 'ms', { ...extras, samples: summary.count });
            context.emit(`${name}_p99`, round(summary.p99, 1), 'ms', { ...extras, samples: summary.count });
            context.emit(`${name}_max`, round(summary.max, 1), 'ms', { ...extras, samples: summary.count });
          }
        };

        for (const rows of sizes) {
          context.log(`${database}: importing ${rows} members`);
          await runImport(`${rows}_rows`, membersCsv(rows, `m${rows}.`), 'done');
        }
        context.log(`${database}: importing a 20 MB file without a line break`);
        await runImport('20mb_malformed', 'x'.repeat(20_000_000), 'invalid');
      } finally {
        client.close();
        await platform.stop();
      }
    }
    return { errors };
  },
};
