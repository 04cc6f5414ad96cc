import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import WebSocket from 'ws';
import { startPrivateKafka, startPrivatePostgres, startPrivateRedis } from '@atrium/testing';
import { startPlatform } from './platform-process';
import { pidListeningOn, readHostBusySeconds, readProcessCpuSeconds, readTreeCpuSeconds } from './proc';
import { ServicesPlatform, startServicesPlatform } from './services-platform';
import { round } from './stats';
import { BenchContext, BenchModule } from './types';

/**
 * What the platform costs when nobody does anything (issue 14 §6).
 *
 * 1. Private PostgreSQL, Redis and Kafka (never the shared ones): first the broker alone, with no
 *    client at all, as the floor Kafka cannot go below; then the six processes of
 *    `start:services` on them, 200 members each holding one idle `/ws` socket, and the CPU of
 *    every process over a window once start-up work has settled.
 * 2. Embedded mode (`node dist/apps/atrium/src/main.js`) on a fresh data directory: time to
 *    healthy, resident memory after 20 s idle and its peak, disk size, idle CPU; then a restart
 *    on the same directory.
 *
 * CPU is read from /proc/<pid>/stat (utime + stime, all threads); 100 % = one core.
 */

const CLIENTS = 200;
const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

interface Meter {
  name: string;
  read: () => number | undefined;
}

/** CPU seconds of each meter over `seconds` of wall time, and the host's busy time meanwhile. */
async function measure(meters: Meter[], seconds: number): Promise<{ cpu: Record<string, number>; hostPct?: number }> {
  const before = meters.map((m) => m.read());
  const hostBefore = readHostBusySeconds();
  const started = performance.now();
  await delay(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  const cpu: Record<string, number> = {};
  meters.forEach((m, i) => {
    const after = m.read();
    const start = before[i];
    if (after !== undefined && start !== undefined) cpu[m.name] = after - start;
  });
  const hostAfter = readHostBusySeconds();
  const hostPct = hostBefore !== undefined && hostAfter !== undefined ? ((hostAfter - hostBefore) / elapsed) * 100 : undefined;
  return { cpu, hostPct };
}

function duBytes(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

async function openIdleClients(context: BenchContext, platform: ServicesPlatform): Promise<WebSocket[]> {
  const base = platform.gatewayUrls[0];
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ corp: 'demo', account: 'admin', password: platform.password }),
  });
  if (!login.ok) throw new Error(`admin login failed: HTTP ${login.status} ${await login.text()}`);
  const adminToken = ((await login.json()) as { accessToken: string }).accessToken;
  const corpId = (jwt.decode(adminToken) as { corp: string }).corp;
  const userid = (i: number) => `idle${String(i).padStart(4, '0')}`;
  const rows = ['User ID,Name,Email,Departments,Main Department,Enabled'];
  for (let i = 0; i < CLIENTS; i += 1) rows.push(`${userid(i)},Idle ${i},${userid(i)}@bench.example.com,1,1,yes`);
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} → HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  let job = await api<{ id: string; status: string }>('POST', '/api/v1/directory/imports', {
    kind: 'members',
    mode: 'all_or_nothing',
    csv: `${rows.join('\r\n')}\r\n`,
  });
  while (job.status === 'validating' || job.status === 'applying') {
    await delay(500);
    job = await api('GET', `/api/v1/directory/imports/${job.id}`);
  }
  if (job.status !== 'done') throw new Error(`member import ended ${job.status}`);
  // Sessions written straight into the gateway's database and tokens signed with the platform's
  // key (from its data directory): the members have no passwords, and 200 argon2 logins are noise.
  const sessions = Array.from({ length: CLIENTS }, (_, i) => ({ user: userid(i), sid: randomUUID() }));
  const gatewayDb = new Client({ connectionString: platform.databaseUrl('gateway') });
  await gatewayDb.connect();
  try {
    await gatewayDb.query(
      `INSERT INTO refresh_tokens (id, family_id, corp_id, user_id, roles, secret_hash, status, expires_at)
       SELECT gen_random_uuid(), sid, $1, userid, '{}', 'idle-bench', 'active', now() + interval '1 day'
         FROM unnest($2::uuid[], $3::text[]) AS s(sid, userid)`,
      [corpId, sessions.map((s) => s.sid), sessions.map((s) => s.user)],
    );
  } finally {
    await gatewayDb.end();
  }
  const token = ({ user, sid }: { user: string; sid: string }) =>
    jwt.sign({ corp: corpId, roles: [], sid }, platform.jwtSecret, {
      algorithm: 'HS256',
      subject: user,
      issuer: 'atrium',
      audience: 'atrium-api',
      expiresIn: 3600,
    });
  const sockets: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i += 1) {
    sockets.push(
      await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`, {
          headers: { authorization: `Bearer ${token(sessions[i])}` },
          perMessageDeflate: false,
        });
        ws.once('message', () => resolve(ws));
        ws.once('error', reject);
        ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      }),
    );
  }
  context.log(`${sockets.length} idle sockets open`);
  return sockets;
}

async function servicesAtRest(context: BenchContext): Promise<number> {
  const window = context.quick ? 10 : 30;
  const settle = context.quick ? 10 : 30;
  context.log('starting private PostgreSQL, Redis and Kafka');
  const [pg, redis, kafka] = await Promise.all([startPrivatePostgres('idle-bench'), startPrivateRedis(), startPrivateKafka('idle-bench')]);
  let services: ServicesPlatform | undefined;
  let sockets: WebSocket[] = [];
  try {
    const kafkaPort = Number(kafka.brokers[0].split(':')[1]);
    const pids = { postgres: pidListeningOn(pg.port), redis: pidListeningOn(redis.port), kafka: pidListeningOn(kafkaPort) };
    for (const [name, pid] of Object.entries(pids)) if (pid === undefined) throw new Error(`no process found listening for ${name}`);
    const infraMeters: Meter[] = [
      { name: 'postgres', read: () => readTreeCpuSeconds(pids.postgres!) },
      { name: 'redis', read: () => readProcessCpuSeconds(pids.redis!) },
      { name: 'kafka', read: () => readProcessCpuSeconds(pids.kafka!) },
    ];

    context.log(`the servers alone: ${settle} s to settle, then ${window} s measured`);
    await delay(settle * 1000);
    const alone = await measure(infraMeters, window);
    for (const [name, seconds] of Object.entries(alone.cpu))
      context.emit(`${name}_cpu_pct_no_clients`, round((seconds / window) * 100, 2), '%', { window_s: window, cpu_s: round(seconds, 2) });

    Object.assign(process.env, {
      ATRIUM_TEST_PG_URL: `postgres://postgres@127.0.0.1:${pg.port}/postgres`,
      ATRIUM_TEST_REDIS_URL: redis.url,
      ATRIUM_TEST_KAFKA_BROKERS: kafka.brokers.join(','),
    });
    services = await startServicesPlatform({ gatewayReplicas: 1, log: (m) => context.log(m) });
    sockets = await openIdleClients(context, services);
    const platform = services;
    const serviceMeters: Meter[] = platform.processes.map((p) => ({ name: p.service, read: () => readProcessCpuSeconds(p.pid) }));
    context.log(`six services + ${CLIENTS} idle sockets: ${settle} s to settle, then ${window} s measured`);
    await delay(settle * 1000);
    const rest = await measure([...serviceMeters, ...infraMeters], window);
    let total = 0;
    for (const p of platform.processes) {
      const seconds = rest.cpu[p.service] ?? NaN;
      total += seconds;
      context.emit(`${p.service}_cpu_pct`, round((seconds / window) * 100, 2), '%', {
        clients: CLIENTS,
        window_s: window,
        cpu_s: round(seconds, 2),
      });
    }
    context.emit('services_cpu_pct', round((total / window) * 100, 2), '%', { clients: CLIENTS, window_s: window, cpu_s: round(total, 2) });
    for (const m of infraMeters) {
      const seconds = rest.cpu[m.name] ?? NaN;
      context.emit(`${m.name}_cpu_pct`, round((seconds / window) * 100, 2), '%', {
        clients: CLIENTS,
        window_s: window,
        cpu_s: round(seconds, 2),
      });
    }
    if (rest.hostPct !== undefined) context.emit('host_busy_pct', round(rest.hostPct, 1), '%', { window_s: window, phase: 'services' });
    const open = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    if (open !== CLIENTS) {
      context.log(`only ${open} of ${CLIENTS} sockets still open after the window`);
      return CLIENTS - open;
    }
    return 0;
  } finally {
    for (const ws of sockets) ws.terminate();
    await services?.stop().catch((error: unknown) => context.log(`stopping the services failed: ${String(error)}`));
    await Promise.all([pg.destroy(), redis.stop(), kafka.destroy()]);
  }
}

async function embeddedAtRest(context: BenchContext): Promise<void> {
  const idle = 20;
  const window = context.quick ? 10 : 30;
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-bench-idle-'));
  try {
    for (const start of ['first', 'restart'] as const) {
      const startedAt = performance.now();
      // A first start on a busy two-core machine has taken over 100 s: the runner's 120 s is too tight.
      const platform = await startPlatform({ dataDir, readyTimeoutMs: 300_000, log: (m) => context.log(m) });
      try {
        context.emit('embedded_healthy_s', round((performance.now() - startedAt) / 1000, 1), 's', { start });
        if (start === 'restart') break;
        await delay(idle * 1000);
        const memory = platform.memory();
        if (memory) {
          context.emit('embedded_rss', round(memory.rssMiB, 0), 'MiB', { after_idle_s: idle });
          context.emit('embedded_rss_peak', round(memory.peakRssMiB, 0), 'MiB');
        }
        context.emit('embedded_disk', round(duBytes(dataDir) / 1e6, 1), 'MB', { what: 'data directory after first start' });
        const { cpu, hostPct } = await measure([{ name: 'embedded', read: () => platform.cpuSeconds() }], window);
        context.emit('embedded_cpu_pct', round(((cpu.embedded ?? NaN) / window) * 100, 2), '%', {
          window_s: window,
          cpu_s: round(cpu.embedded ?? NaN, 2),
        });
        if (hostPct !== undefined) context.emit('host_busy_pct', round(hostPct, 1), '%', { window_s: window, phase: 'embedded' });
      } finally {
        await platform.stop();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const idleBench: BenchModule = {
  description: 'a platform at rest: six processes with 200 idle sockets (private servers), then embedded mode',
  platform: 'none',
  async run(context) {
    // ATRIUM_BENCH_IDLE=services or =embedded runs one of the two parts.
    const only = process.env.ATRIUM_BENCH_IDLE;
    const errors = only === 'embedded' ? 0 : await servicesAtRest(context);
    if (only !== 'services') await embeddedAtRest(context);
    return { errors };
  },
};
