import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import WebSocket from 'ws';
import { mintSessions } from './minted-sessions';
import { readCpuSecondsByCommand, readHostBusySeconds, readProcessCpuSeconds } from './proc';
import { ServicesPlatform, startServicesPlatform } from './services-platform';
import { round, summarize } from './stats';
import { BenchContext, BenchModule, BenchOutcome } from './types';
import type { KeyTally, SocketSpec, WorkerCommand, WorkerReply } from './ws-worker';

/**
 * Messaging over WebSocket against the platform as a cluster runs it: six service processes and
 * several gateway replicas on the real PostgreSQL, Redis and Kafka of this machine. The load
 * generator is this process (senders) plus forked receiver processes; none shares an event loop
 * with the platform. Phases: sustained send rate (closed loop), send→delivered latency at half of
 * it (open loop), fan-out to a 2,000-member group at rising rates, idle sockets per GiB.
 */

const now = () => performance.timeOrigin + performance.now();
const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

interface Plan {
  replicas: number;
  pairs: number;
  groups: number;
  groupSize: number;
  fanoutMembers: number;
  idleSockets: number;
  warmupSeconds: number;
  phaseSeconds: number;
  fanoutRates: number[];
  fanoutSeconds: number;
}

const FULL: Plan = {
  replicas: 3,
  pairs: 100,
  groups: 20,
  groupSize: 5,
  fanoutMembers: 2_000,
  idleSockets: 20_000,
  warmupSeconds: 5,
  phaseSeconds: 20,
  fanoutRates: [5, 10, 20, 40, 60, 80],
  fanoutSeconds: 10,
};

const QUICK: Plan = {
  replicas: 2,
  pairs: 20,
  groups: 5,
  groupSize: 5,
  fanoutMembers: 200,
  idleSockets: 1_000,
  warmupSeconds: 1,
  phaseSeconds: 4,
  fanoutRates: [5, 20],
  fanoutSeconds: 3,
};

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Sockets per receiver process: well under the 20,000 descriptors a process may open here. */
const SOCKETS_PER_WORKER = 15_000;

class Worker {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();

  constructor() {
    this.child = fork(join(__dirname, 'ws-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: WorkerReply) => {
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  ask(command: WithoutId<WorkerCommand>): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      this.child.send({ ...command, id });
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

/** A sender's socket, in this process: frames out, acks back, matched by client message id. */
class SenderSocket {
  private readonly pending = new Map<string, { resolve: (ackMs: number) => void; reject: (e: Error) => void; at: number }>();
  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (!text.startsWith('{"clientMsgId"')) return;
      const frame = JSON.parse(text) as { clientMsgId: string; type: string; code?: string; message?: string };
      const waiting = this.pending.get(frame.clientMsgId);
      if (!waiting) return;
      this.pending.delete(frame.clientMsgId);
      if (frame.type === 'ack') waiting.resolve(now() - waiting.at);
      else waiting.reject(new Error(`${frame.code}: ${frame.message}`));
    });
  }

  static open(url: string, token: string): Promise<SenderSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, {
        headers: { authorization: `Bearer ${token}` },
        perMessageDeflate: false,
      });
      ws.once('message', () => resolve(new SenderSocket(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  /** Resolves with the time to the ack (ms) once messaging stored the message. */
  send(conversationId: string, key: string): Promise<number> {
    const clientMsgId = key;
    const at = now();
    return new Promise((resolve, reject) => {
      this.pending.set(clientMsgId, { resolve, reject, at });
      this.ws.send(
        JSON.stringify({ type: 'send', conversationId, clientMsgId, msgType: 'text', content: { text: `bench|${key}|${at.toFixed(3)}` } }),
      );
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

interface Setup {
  platform: ServicesPlatform;
  corpId: string;
  token: (userid: string) => string;
  api: <T>(method: string, path: string, body?: unknown, as?: string) => Promise<T>;
}

const userid = (i: number) => `m${String(i).padStart(6, '0')}`;

async function prepare(context: BenchContext, plan: Plan, members: number): Promise<Setup> {
  const platform = await startServicesPlatform({ gatewayReplicas: plan.replicas, log: (m) => context.log(m) });
  const base = platform.gatewayUrls[0];
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ corp: 'demo', account: 'admin', password: platform.password }),
  });
  if (!login.ok) throw new Error(`admin login failed: HTTP ${login.status} ${await login.text()}`);
  const adminToken = ((await login.json()) as { accessToken: string }).accessToken;
  const corpId = (jwt.decode(adminToken) as { corp: string }).corp;
  // Members' tokens are minted once the import has created them (mintSessions: no argon2 sign-in each).
  let tokens = new Map<string, string>();
  const token = (user: string) => {
    const minted = tokens.get(user);
    if (!minted) throw new Error(`no access token minted for ${user}`);
    return minted;
  };
  const api = async <T>(method: string, path: string, body?: unknown, as?: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${as ? token(as) : adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} → HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };

  const rows = ['User ID,Name,Email,Departments,Main Department,Enabled'];
  for (let i = 0; i < members; i += 1) rows.push(`${userid(i)},Member ${i},${userid(i)}@bench.example.com,1,1,yes`);
  const startedAt = Date.now();
  let job = await api<{ id: string; status: string; errorCount: number }>('POST', '/api/v1/directory/imports', {
    kind: 'members',
    mode: 'all_or_nothing',
    csv: `${rows.join('\r\n')}\r\n`,
  });
  while (job.status === 'validating' || job.status === 'applying') {
    await delay(500);
    job = await api('GET', `/api/v1/directory/imports/${job.id}`);
  }
  if (job.status !== 'done') throw new Error(`member import ended ${job.status}: ${JSON.stringify(job).slice(0, 500)}`);
  context.log(`imported ${members} members in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  tokens = await mintSessions(
    platform.databaseUrl('gateway'),
    platform.jwtSecret,
    corpId,
    Array.from({ length: members }, (_, i) => ({ userid: userid(i), roles: [] })),
  );
  return { platform, corpId, token, api };
}

/**
 * CPU over a phase, 100 % = one core: the platform's processes (and each service), this generator,
 * its receiver processes, PostgreSQL, Kafka, Redis and the whole machine.
 */
function cpuMeter(platform: ServicesPlatform, workers: Worker[]) {
  const servers = ['postgres', 'java', 'redis-server'];
  const read = () => ({
    at: Date.now(),
    platform: platform.cpuSeconds(),
    services: platform.cpuSecondsByService(),
    host: readHostBusySeconds() ?? NaN,
    own: process.cpuUsage(),
    receivers: workers.reduce((sum, w) => sum + (readProcessCpuSeconds(w.pid) ?? 0), 0),
    servers: readCpuSecondsByCommand(servers),
  });
  const start = read();
  return () => {
    const end = read();
    const seconds = (end.at - start.at) / 1000;
    const pct = (used: number) => round((used / seconds) * 100, 0);
    const own = (end.own.user - start.own.user + end.own.system - start.own.system) / 1e6;
    return {
      platform_cpu_pct: pct(end.platform - start.platform),
      host_cpu_pct: pct(end.host - start.host),
      sender_cpu_pct: round((own / seconds) * 100, 0),
      receiver_cpu_pct: pct(end.receivers - start.receivers),
      // PostgreSQL backends that exited during the phase took their CPU time along: -1 when that hid the figure.
      postgres_cpu_pct: Math.max(-1, pct(end.servers.postgres - start.servers.postgres)),
      kafka_cpu_pct: pct(end.servers.java - start.servers.java),
      redis_cpu_pct: pct(end.servers['redis-server'] - start.servers['redis-server']),
      ...Object.fromEntries(
        Object.entries(end.services).map(([service, used]) => [`${service}_cpu_pct`, pct(used - (start.services[service] ?? 0))]),
      ),
    };
  };
}

async function collect(workers: Worker[]): Promise<{ samples: number[]; keys: Map<string, { count: number; maxMs: number }> }> {
  const replies = await Promise.all(workers.map((w) => w.ask({ cmd: 'report' })));
  const samples: number[] = [];
  const keys = new Map<string, { count: number; maxMs: number }>();
  for (const reply of replies) {
    for (const s of reply.samples ?? []) samples.push(s);
    for (const k of reply.keys ?? ([] as KeyTally[])) {
      const seen = keys.get(k.key);
      if (seen) {
        seen.count += k.count;
        seen.maxMs = Math.max(seen.maxMs, k.maxMs);
      } else keys.set(k.key, { count: k.count, maxMs: k.maxMs });
    }
  }
  return { samples, keys };
}

async function outboxBacklog(platform: ServicesPlatform): Promise<number> {
  const client = new Client({ connectionString: platform.databaseUrl('messaging') });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform_outbox WHERE published_at IS NULL`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function openReceivers(workers: Worker[], specs: SocketSpec[]): Promise<number> {
  const share = Math.ceil(specs.length / workers.length);
  const replies = await Promise.all(
    workers.map((w, i) => w.ask({ cmd: 'open', sockets: specs.slice(i * share, (i + 1) * share), concurrency: 50 })),
  );
  const failed = replies.reduce((n, r) => n + (r.failed ?? 0), 0);
  for (const r of replies) for (const f of r.failures ?? []) process.stderr.write(`[messaging] socket failed: ${f}\n`);
  return failed;
}

async function sendRatePhases(context: BenchContext, plan: Plan, setup: Setup, errors: { n: number }): Promise<void> {
  const { platform, api } = setup;
  const urls = platform.gatewayUrls;
  // Senders and their conversations: pairs first (users 0..2P-1), then small groups.
  const routes: { sender: string; conversationId: string; recipients: number }[] = [];
  const receivers: string[] = [];
  for (let p = 0; p < plan.pairs; p += 1) {
    const [a, b] = [userid(2 * p), userid(2 * p + 1)];
    const { conversation } = await api<{ conversation: { id: string } }>(
      'POST',
      '/api/v1/conversations',
      { kind: 'direct', members: [b] },
      a,
    );
    routes.push({ sender: a, conversationId: conversation.id, recipients: 1 });
    receivers.push(b);
  }
  const groupBase = 2 * plan.pairs;
  for (let g = 0; g < plan.groups; g += 1) {
    const users = Array.from({ length: plan.groupSize }, (_, i) => userid(groupBase + g * plan.groupSize + i));
    const { conversation } = await api<{ conversation: { id: string } }>(
      'POST',
      '/api/v1/conversations',
      { kind: 'group', name: `bench ${g}`, members: users.slice(1) },
      users[0],
    );
    routes.push({ sender: users[0], conversationId: conversation.id, recipients: plan.groupSize - 1 });
    receivers.push(...users.slice(1));
  }
  const workers = [new Worker(), new Worker()];
  try {
    errors.n += await openReceivers(
      workers,
      receivers.map((u, i) => ({ url: urls[i % urls.length], token: setup.token(u) })),
    );
    const senders = await Promise.all(routes.map((r, i) => SenderSocket.open(urls[(i + 1) % urls.length], setup.token(r.sender))));
    context.log(
      `send rate: ${routes.length} senders (${plan.pairs} direct, ${plan.groups} groups of ${plan.groupSize}), ${receivers.length} receivers`,
    );

    // Closed loop: each sender sends its next message as soon as the previous one is acknowledged.
    let counter = 0;
    const closed = async (seconds: number, record: boolean) => {
      const acks: number[] = [];
      let expectedDeliveries = 0;
      const deadline = Date.now() + seconds * 1000;
      await Promise.all(
        routes.map(async (route, i) => {
          while (Date.now() < deadline) {
            try {
              const ackMs = await senders[i].send(route.conversationId, `c${counter++}`);
              if (record) {
                acks.push(ackMs);
                expectedDeliveries += route.recipients;
              }
            } catch (error) {
              errors.n += 1;
              if (errors.n <= 5) context.log(`send failed: ${(error as Error).message}`);
            }
          }
        }),
      );
      return { acks, expectedDeliveries };
    };
    await closed(plan.warmupSeconds, false);
    await delay(1_000);
    await collect(workers);
    const meter = cpuMeter(platform, workers);
    const startedAt = Date.now();
    const { acks, expectedDeliveries } = await closed(plan.phaseSeconds, true);
    const elapsed = (Date.now() - startedAt) / 1000;
    const cpu = meter();
    const backlogAtEnd = await outboxBacklog(platform);
    await delay(2_000);
    const delivered = (await collect(workers)).samples.length;
    const rate = acks.length / elapsed;
    const ack = summarize(acks);
    const extras = { senders: routes.length, mode: 'closed-loop', seconds: round(elapsed, 1), ...cpu };
    context.emit('send_rate_sustained', round(rate), 'messages/s', extras);
    context.emit('send_ack_p50', round(ack.p50), 'ms', extras);
    context.emit('send_ack_p99', round(ack.p99), 'ms', extras);
    context.emit('deliveries_per_second', round(delivered / elapsed), 'deliveries/s', extras);
    context.emit('delivered_pct', round((delivered / Math.max(1, expectedDeliveries)) * 100, 2), '%', {
      expected: expectedDeliveries,
      delivered,
    });
    // Published: the outbox relay keeps up when its backlog drains within moments of the load stopping.
    const drainStarted = Date.now();
    let backlog = await outboxBacklog(platform);
    while (backlog > 0 && Date.now() - drainStarted < 120_000) {
      await delay(250);
      backlog = await outboxBacklog(platform);
    }
    context.emit('outbox_backlog_at_end', backlogAtEnd, 'events');
    context.emit('outbox_drain_seconds', round((Date.now() - drainStarted) / 1000 + 2, 1), 's', { drained: backlog === 0 });

    // Open loop at a fixed rate: what a user sees at that load.
    const openLoop = async (target: number) => {
      const interval = 1000 / target;
      const inflight: Promise<unknown>[] = [];
      const lags: number[] = [];
      const openAcks: number[] = [];
      let sent = 0;
      let expected = 0;
      const meter2 = cpuMeter(platform, workers);
      const t0 = now();
      for (let n = 0; n < target * plan.phaseSeconds; n += 1) {
        const due = t0 + n * interval;
        const wait = due - now();
        if (wait > 1) await delay(wait);
        lags.push(Math.max(0, now() - due));
        const route = routes[n % routes.length];
        const i = n % routes.length;
        sent += 1;
        expected += route.recipients;
        inflight.push(
          senders[i].send(route.conversationId, `o${counter++}`).then(
            (ms) => openAcks.push(ms),
            () => (errors.n += 1),
          ),
        );
      }
      await Promise.all(inflight);
      const achieved = sent / ((now() - t0) / 1000);
      const cpu2 = meter2();
      await delay(2_000);
      const latency = (await collect(workers)).samples;
      const extras = {
        target_rate: target,
        achieved_rate: round(achieved),
        mode: 'open-loop',
        send_lag_p99_ms: round(summarize(lags).p99),
        ...cpu2,
      };
      return { latency: summarize(latency), acks: summarize(openAcks), delivered: latency.length, expected, extras };
    };
    // At half the sustained rate, as the aim is stated.
    const half = await openLoop(Math.max(10, Math.floor(rate / 2)));
    context.emit('send_to_delivered_p50', round(half.latency.p50), 'ms', half.extras);
    context.emit('send_to_delivered_p99', round(half.latency.p99), 'ms', half.extras);
    context.emit('send_ack_open_loop_p50', round(half.acks.p50), 'ms', half.extras);
    context.emit('send_ack_open_loop_p99', round(half.acks.p99), 'ms', half.extras);
    context.emit('open_loop_delivered_pct', round((half.delivered / Math.max(1, half.expected)) * 100, 2), '%', {
      expected: half.expected,
      delivered: half.delivered,
    });
    // Sends are committed in groups, which makes a message cheaper the busier the platform is: half the
    // saturated rate is not half the CPU. Lower rates show where the latency aim holds.
    for (const share of [4, 8]) {
      const lower = await openLoop(Math.max(10, Math.floor(rate / share)));
      context.emit('send_to_delivered_at_rate_p50', round(lower.latency.p50), 'ms', lower.extras);
      context.emit('send_to_delivered_at_rate_p99', round(lower.latency.p99), 'ms', lower.extras);
    }
    senders.forEach((s) => s.close());
  } finally {
    await Promise.all(workers.map((w) => w.ask({ cmd: 'close' }).catch(() => undefined)));
    workers.forEach((w) => w.stop());
  }
}

async function fanoutPhase(context: BenchContext, plan: Plan, setup: Setup, firstUser: number, errors: { n: number }): Promise<void> {
  const { platform, api } = setup;
  const urls = platform.gatewayUrls;
  const users = Array.from({ length: plan.fanoutMembers }, (_, i) => userid(firstUser + i));
  const { conversation } = await api<{ conversation: { id: string } }>(
    'POST',
    '/api/v1/conversations',
    { kind: 'group', name: 'all hands', members: users.slice(1) },
    users[0],
  );
  const recipients = users.length - 1;
  const workers = [new Worker(), new Worker()];
  try {
    const openedAt = Date.now();
    errors.n += await openReceivers(
      workers,
      users.slice(1).map((u, i) => ({ url: urls[i % urls.length], token: setup.token(u) })),
    );
    context.log(`fan-out: ${recipients} members online in ${((Date.now() - openedAt) / 1000).toFixed(1)} s`);
    const sender = await SenderSocket.open(urls[0], setup.token(users[0]));
    let saturatedAt = 0;
    let bestRate = 0;
    for (const rate of plan.fanoutRates) {
      const meter = cpuMeter(platform, workers);
      const interval = 1000 / rate;
      const t0 = now();
      const acks: Promise<unknown>[] = [];
      const count = Math.round(rate * plan.fanoutSeconds);
      for (let n = 0; n < count; n += 1) {
        const wait = t0 + n * interval - now();
        if (wait > 1) await delay(wait);
        acks.push(sender.send(conversation.id, `f${rate}-${n}`).catch(() => (errors.n += 1)));
      }
      await Promise.all(acks);
      const cpu = meter();
      await delay(3_000);
      const { keys } = await collect(workers);
      const toLast: number[] = [];
      let complete = 0;
      for (let n = 0; n < count; n += 1) {
        const tally = keys.get(`f${rate}-${n}`);
        if (tally?.count === recipients) {
          complete += 1;
          toLast.push(tally.maxMs);
        }
      }
      const extras = { rate, members: users.length, messages: count, complete, ...cpu };
      if (toLast.length > 0) {
        const s = summarize(toLast);
        context.emit('fanout_time_to_last_p50', round(s.p50), 'ms', extras);
        context.emit('fanout_time_to_last_p99', round(s.p99), 'ms', extras);
        if (complete === count && s.p99 <= 1_000 && saturatedAt === 0) bestRate = rate;
        else if (saturatedAt === 0) saturatedAt = rate;
      }
      context.emit('fanout_complete_pct', round((complete / count) * 100, 2), '%', extras);
      if (complete < count && saturatedAt === 0) saturatedAt = rate;
      if (saturatedAt !== 0) break;
      await delay(2_000);
    }
    context.emit('fanout_max_rate_unsaturated', bestRate, 'messages/s', {
      members: users.length,
      criterion: 'every recipient got every message and time-to-last p99 <= 1 s',
      saturated_at: saturatedAt || 'not reached',
    });
    sender.close();
  } finally {
    await Promise.all(workers.map((w) => w.ask({ cmd: 'close' }).catch(() => undefined)));
    workers.forEach((w) => w.stop());
  }
}

async function idlePhase(context: BenchContext, plan: Plan, setup: Setup, firstUser: number, errors: { n: number }): Promise<void> {
  const { platform } = setup;
  const urls = platform.gatewayUrls;
  const workers = Array.from({ length: Math.ceil(plan.idleSockets / SOCKETS_PER_WORKER) }, () => new Worker());
  try {
    await delay(2_000);
    const before = platform.rssMiB('gateway');
    const specs: SocketSpec[] = Array.from({ length: plan.idleSockets }, (_, i) => ({
      url: urls[i % urls.length],
      token: setup.token(userid(firstUser + i)),
      // Several loopback source addresses, so no (source, destination) pair runs out of ports.
      localAddress: `127.0.0.${2 + (i % 50)}`,
    }));
    const startedAt = Date.now();
    const failed = await openReceivers(workers, specs);
    const seconds = (Date.now() - startedAt) / 1000;
    errors.n += failed;
    await delay(10_000);
    const after = platform.rssMiB('gateway');
    const opened = plan.idleSockets - failed;
    const grownMiB = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
    const perSocketKiB = (grownMiB * 1024) / Math.max(1, opened);
    const extras = {
      replicas: urls.length,
      before_mib: round(
        before.reduce((a, b) => a + b, 0),
        1,
      ),
      after_mib: round(
        after.reduce((a, b) => a + b, 0),
        1,
      ),
    };
    context.emit('idle_sockets_open', opened, 'sockets', { ...extras, failed });
    context.emit('idle_socket_connect_rate', round(opened / seconds), 'sockets/s', extras);
    if (grownMiB > 0) {
      context.emit('idle_socket_gateway_kib', round(perSocketKiB, 2), 'KiB/socket', extras);
      context.emit('idle_sockets_per_gib', Math.round((1024 * 1024) / perSocketKiB), 'sockets/GiB', extras);
    } else {
      // Garbage collection freed more than the sockets took: too few sockets to measure.
      context.log(`idle sockets: gateway memory did not grow (${round(grownMiB, 1)} MiB); open more sockets to measure`);
    }
  } finally {
    await Promise.all(workers.map((w) => w.ask({ cmd: 'close' }).catch(() => undefined)));
    workers.forEach((w) => w.stop());
  }
}

export const messagingBench: BenchModule = {
  description: 'send rate, send→delivered latency, 2,000-member fan-out and idle sockets per GiB, six services + replicas on real servers',
  platform: 'none',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const plan = context.quick ? QUICK : FULL;
    // ATRIUM_BENCH_MESSAGING_PHASES=send,fanout,idle (all by default) runs some phases only, e.g. to profile one.
    const phases = new Set((process.env.ATRIUM_BENCH_MESSAGING_PHASES ?? 'send,fanout,idle').split(','));
    const sendUsers = 2 * plan.pairs + plan.groups * plan.groupSize;
    // Members are laid out send users, fan-out group, idle sockets; a run without the later phases imports fewer.
    const members =
      sendUsers + (phases.has('fanout') || phases.has('idle') ? plan.fanoutMembers : 0) + (phases.has('idle') ? plan.idleSockets : 0);
    const errors = { n: 0 };
    const setup = await prepare(context, plan, members);
    try {
      // What the platform costs doing nothing (outbox polls, consumer fetches, heartbeats): the floor under every phase.
      // The member import's events (directory → messaging's department groups, the archive) take a
      // while to work through; measuring meanwhile would charge that backlog to the first phase.
      const settleStarted = Date.now();
      for (let quiet = 0; quiet < 2 && Date.now() - settleStarted < 300_000;) {
        const window = cpuMeter(setup.platform, []);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        quiet = window().platform_cpu_pct < 60 ? quiet + 1 : 0;
      }
      context.log(`platform settled after the import in ${((Date.now() - settleStarted) / 1000).toFixed(0)} s`);
      const idle = cpuMeter(setup.platform, []);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const { platform_cpu_pct, host_cpu_pct: _host, sender_cpu_pct: _sender, receiver_cpu_pct: _receivers, ...rest } = idle();
      context.emit('platform_idle_cpu_pct', platform_cpu_pct, '%', { seconds: 10, ...rest });
      if (phases.has('send')) await sendRatePhases(context, plan, setup, errors);
      if (phases.has('fanout')) await fanoutPhase(context, plan, setup, sendUsers, errors);
      if (phases.has('idle')) await idlePhase(context, plan, setup, sendUsers + plan.fanoutMembers, errors);
      const gateway = setup.platform.rssMiB('gateway');
      context.emit(
        'gateway_rss',
        round(
          gateway.reduce((a, b) => a + b, 0),
          1,
        ),
        'MiB',
        { replicas: gateway.length },
      );
      for (const service of ['messaging', 'directory', 'audit'])
        context.emit(
          `${service}_rss`,
          round(
            setup.platform.rssMiB(service).reduce((a, b) => a + b, 0),
            1,
          ),
          'MiB',
        );
    } finally {
      await setup.platform.stop();
    }
    return { errors: errors.n };
  },
};
