import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { auditV1, protoPathFor } from '@atrium/contracts';
import { GrpcServiceClient, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { Client } from 'pg';
import { freePort } from './platform-process';
import { readHostBusySeconds, readProcessCpuSeconds } from './proc';
import { percentile, round, summarize } from './stats';
import { BenchContext, BenchModule, BenchOutcome } from './types';

/**
 * Audit archive: ingest rate (records/s, each encrypted with AES-256-GCM, hash-chained and
 * blind-indexed) and keyword search latency over the result.
 *
 * Ingest: synthetic messaging.message.sent envelopes (60 % Chinese, 40 % English, spread over a
 * year, one corp) are piped as NDJSON into the audit CLI's `ingest` (the archive's batch write
 * path: decode, classify, encrypt, index terms, chain, one transaction per 2,000 records).
 * Search: the audit service itself (dist main.js, its own process) answers SearchArchive over gRPC
 * as a compliance officer: newest 50 hits of a Chinese two-character or an English term within a
 * 30-day window, decrypted and confirmed; one client, so the latency is not queueing.
 *
 * PostgreSQL: ATRIUM_BENCH_PG_URL, else the test cluster of `npm run infra:up` (.data/infra.env).
 * A fresh database is created and dropped at the end (kept with ATRIUM_BENCH_KEEP_DB=1, for
 * EXPLAIN ANALYZE afterwards: its URL is logged). ATRIUM_BENCH_AUDIT_MESSAGES overrides the
 * archive size (1,000,000 with --quick, 10,000,000 without) for a smoke run,
 * ATRIUM_BENCH_AUDIT_BATCH the CLI's records per transaction (2,000), ATRIUM_BENCH_AUDIT_SEARCHES the
 * number of measured searches (0: ingest only).
 * CPU during ingest (100 % = one core): the CLI, the database's PostgreSQL backends (autovacuum
 * included), and the rest of the machine (`other`: someone else's work, or PostgreSQL's shared
 * background writers).
 */

interface Settings {
  messages: number;
  searches: number;
  warmupSearches: number;
  batch: number;
}

const QUICK: Settings = { messages: 1_000_000, searches: 200, warmupSearches: 30, batch: 2_000 };
const FULL: Settings = { messages: 10_000_000, searches: 500, warmupSearches: 50, batch: 2_000 };
const DAY_MS = 86_400_000;
const WINDOW_DAYS = 30;
const PAGE = 50;

const ZH_WORDS = (
  '预算 会议 项目 客户 合同 报销 审批 季度 销售 市场 财务 部门 经理 计划 进度 风险 质量 采购 供应 库存 ' +
  '招聘 培训 绩效 考核 奖金 工资 出差 发票 付款 收款 利润 成本 投资 股票 基金 贷款 银行 保险 审计 合规 ' +
  '法务 律师 诉讼 专利 商标 品牌 产品 设计 研发 测试 上线 发布 版本 故障 修复 服务 系统 数据 安全 隐私 ' +
  '网络 服务 平台 用户 体验 需求 文档 邮件 电话 视频 周报 月报 年报 总结 目标 指标 增长 下降 调整 优化 ' +
  '明天 今天 昨天 上午 下午 晚上 周一 周五 月底 年底 北京 上海 深圳 广州 杭州 成都 武汉 南京 西安 天津'
).split(' ');
const EN_WORDS = (
  'budget meeting project client contract expense approval quarter sales market finance department manager ' +
  'plan progress risk quality purchase supply inventory hiring training review bonus salary travel invoice ' +
  'payment receipt profit cost invest stock fund loan bank insurance audit compliance legal lawyer patent ' +
  'brand product design research testing release version outage fix service system data security privacy ' +
  'network platform user experience requirement document email phone video weekly monthly report summary ' +
  'goal metric growth decline adjust optimize tomorrow today yesterday morning afternoon evening monday friday'
).split(' ');

/** Zipf-like: low ranks are common (rank 0 is drawn about 9 % of the time, rank 60 about 0.6 %). */
const pick = (words: string[]) => words[Math.floor(words.length * Math.random() ** 2)];

function sentence(): string {
  const length = 4 + Math.floor(Math.random() * 9);
  const chinese = Math.random() < 0.6;
  const words = Array.from({ length }, () => pick(chinese ? ZH_WORDS : EN_WORDS));
  return chinese ? `${words.join('')}。` : `${words.join(' ')}.`;
}

function envelope(corpId: string, i: number, sentAt: Date): string {
  const conversationId = `conv-${i % 5_000}`;
  return JSON.stringify({
    id: randomUUID(),
    type: 'messaging.message.sent',
    version: 1,
    corpId,
    occurredAt: sentAt.toISOString(),
    payload: {
      corpId,
      conversationId,
      message: {
        id: randomUUID(),
        conversationId,
        seq: i + 1,
        sender: `user-${i % 2_000}`,
        clientMsgId: `m-${i}`,
        type: 'text',
        content: { text: sentence() },
        sentAt: sentAt.toISOString(),
        burnAfterReading: false,
      },
    },
  });
}

function pgUrl(): string {
  if (process.env.ATRIUM_BENCH_PG_URL) return process.env.ATRIUM_BENCH_PG_URL;
  const envFile = resolve(__dirname, '..', '..', '.data', 'infra.env');
  const match = existsSync(envFile) ? /^ATRIUM_TEST_PG_URL=(.*)$/m.exec(readFileSync(envFile, 'utf8')) : null;
  if (!match) throw new Error('no PostgreSQL: set ATRIUM_BENCH_PG_URL or run `npm run infra:up`');
  return match[1].trim();
}

async function admin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode);
    else child.once('exit', (code) => done(code));
  });
}

async function ingest(
  context: BenchContext,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  corpId: string,
  backendPids: () => Promise<number[]>,
) {
  const cli = join(__dirname, '..', 'services', 'audit', 'src', 'cli.js');
  // ATRIUM_BENCH_CLI_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the ingest process.
  const nodeArgs = (process.env.ATRIUM_BENCH_CLI_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, cli, 'ingest', '--batch', String(settings.batch)], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => context.log(`[audit-cli] ${chunk.toString().trimEnd()}`));
  const exited = waitForExit(child);
  const start = Date.now() - 365 * DAY_MS;
  const spacing = (365 * DAY_MS) / settings.messages;
  const started = performance.now();
  const cpu = new CpuMeter(child.pid!, backendPids);
  const load: number[] = [];
  const sampler = setInterval(() => {
    cpu.sample();
    load.push(loadavg()[0] / cpus().length);
  }, 1_000);
  let chunk: string[] = [];
  for (let i = 0; i < settings.messages; i++) {
    chunk.push(envelope(corpId, i, new Date(start + i * spacing)));
    if (chunk.length === 500 || i === settings.messages - 1) {
      if (!child.stdin.write(`${chunk.join('\n')}\n`)) await new Promise((done) => child.stdin.once('drain', done));
      chunk = [];
    }
    if (i > 0 && i % 100_000 === 0)
      context.log(`  ingest: ${i} sent, ${round(i / ((performance.now() - started) / 1000), 0)} records/s so far`);
  }
  child.stdin.end();
  let code: number | null;
  try {
    code = await exited;
  } finally {
    clearInterval(sampler);
  }
  const elapsedMs = performance.now() - started;
  if (code !== 0) throw new Error(`audit ingest exited with ${code}`);
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { archived: number };
  const seconds = elapsedMs / 1000;
  const pct = (value: number) => round((100 * value) / seconds, 0);
  const usage = cpu.total();
  // CPU per record: what contention for the cores changes least (a busy machine stretches the wall clock).
  const perRecord = (value: number) => round((1e6 * value) / Math.max(1, result.archived), 0);
  return {
    archived: result.archived,
    elapsedMs,
    cpu: {
      ingest_cli_cpu_pct: pct(usage.cli),
      postgres_cpu_pct: pct(usage.postgres),
      cli_cpu_us_per_record: perRecord(usage.cli),
      postgres_cpu_us_per_record: perRecord(usage.postgres),
      other_cpu_pct: usage.host === undefined ? -1 : pct(Math.max(0, usage.host - usage.cli - usage.postgres)),
      host_load_per_core: round(load.reduce((a, b) => a + b, 0) / Math.max(1, load.length), 2),
    },
  };
}

/**
 * CPU seconds of the ingest CLI and of the bench database's PostgreSQL backends (sampled every
 * second: a process's last sample counts; a backend that starts and ends between two samples is
 * missed), and of the whole machine.
 */
class CpuMeter {
  private readonly firstHost = readHostBusySeconds();
  private lastHost = this.firstHost;
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(
    private readonly cliPid: number,
    private readonly backends: () => Promise<number[]>,
  ) {
    this.read(cliPid);
  }

  sample(): void {
    this.read(this.cliPid);
    this.lastHost = readHostBusySeconds() ?? this.lastHost;
    void this.backends().then(
      (pids) => pids.forEach((pid) => this.read(pid)),
      () => undefined,
    );
  }

  total(): { cli: number; postgres: number; host?: number } {
    let cli = 0;
    let postgres = 0;
    for (const [pid, seconds] of this.last) {
      // A backend seen for the first time already had its connection's earlier work: count from its start.
      const used = pid === this.cliPid ? seconds - (this.first.get(pid) ?? 0) : seconds;
      if (pid === this.cliPid) cli = used;
      else postgres += used;
    }
    const host = this.firstHost !== undefined && this.lastHost !== undefined ? this.lastHost - this.firstHost : undefined;
    return { cli, postgres, host };
  }

  private read(pid: number): void {
    const seconds = readProcessCpuSeconds(pid);
    if (seconds === undefined) return;
    if (!this.first.has(pid)) this.first.set(pid, seconds);
    this.last.set(pid, seconds);
  }
}

async function startService(context: BenchContext, env: NodeJS.ProcessEnv, grpcPort: number): Promise<ChildProcess> {
  const main = join(__dirname, '..', 'services', 'audit', 'src', 'main.js');
  const child = spawn(process.execPath, [main], {
    env: {
      ...env,
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: '0',
      ATRIUM_EVENT_BUS: 'inprocess',
      ATRIUM_PUBSUB: 'inprocess',
      LOG_LEVEL: 'warn',
    },
  });
  child.stderr?.on('data', (chunk: Buffer) => context.log(`[audit] ${chunk.toString().trimEnd()}`));
  return child;
}

async function run(context: BenchContext): Promise<BenchOutcome> {
  const chosen = context.quick ? QUICK : FULL;
  // A smaller archive for a smoke run of the benchmark itself; the figures to quote use the defaults.
  const override = Number(process.env.ATRIUM_BENCH_AUDIT_MESSAGES ?? 0);
  // The CLI's --batch (records per transaction), for comparing batch sizes.
  const batch = Number(process.env.ATRIUM_BENCH_AUDIT_BATCH ?? 0);
  // 0 skips the search phase (ingest experiments).
  const searches = process.env.ATRIUM_BENCH_AUDIT_SEARCHES === undefined ? undefined : Number(process.env.ATRIUM_BENCH_AUDIT_SEARCHES);
  const settings = {
    ...chosen,
    ...(override > 0 ? { messages: override } : {}),
    ...(batch > 0 ? { batch } : {}),
    ...(searches !== undefined && searches >= 0 ? { searches: 2 * Math.ceil(searches / 2) } : {}),
  };
  const url = new URL(pgUrl());
  const adminUrl = url.toString();
  const keep = process.env.ATRIUM_BENCH_KEEP_DB === '1';
  const database = `audit_bench_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  url.pathname = `/${database}`;
  const identityKey = randomBytes(32).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url.toString(),
    ATRIUM_IDENTITY_KEY: identityKey,
    ATRIUM_AUDIT_MASTER_KEY: randomBytes(32).toString('base64'),
  };
  const corpId = 'bench-corp';
  let service: ChildProcess | undefined;
  let errors = 0;
  try {
    context.log(`ingest: ${settings.messages} messages into ${database} (batches of ${settings.batch})`);
    // The database's backends, for their CPU: a connection of its own, to the maintenance database.
    const monitor = new Client({ connectionString: adminUrl });
    await monitor.connect();
    const backendPids = async () =>
      (await monitor.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database])).rows.map((r) => r.pid);
    const ingested = await ingest(context, settings, env, corpId, backendPids).finally(() => monitor.end());
    const rate = ingested.archived / (ingested.elapsedMs / 1000);
    if (ingested.archived !== settings.messages) {
      errors++;
      context.log(`  ingest archived ${ingested.archived} of ${settings.messages}`);
    }
    context.emit('ingest_records_per_second', round(rate, 0), 'records/s', {
      records: ingested.archived,
      duration_s: round(ingested.elapsedMs / 1000, 1),
      batch: settings.batch,
      encrypted: 'aes-256-gcm',
      search_index: 'hmac-sha256 bigrams/words, GIN',
      ...ingested.cpu,
    });
    const sizes = await admin(url.toString(), async (c) => {
      const vacuumStarted = performance.now();
      await c.query(`VACUUM ANALYZE audit_records`);
      await c.query(`VACUUM ANALYZE audit_search_index`);
      const vacuumMs = performance.now() - vacuumStarted;
      const { rows } = await c.query<Record<string, string>>(
        `SELECT pg_total_relation_size('audit_records')::text AS records, pg_indexes_size('audit_records')::text AS records_indexes,
                pg_total_relation_size('audit_search_index')::text AS idx, pg_indexes_size('audit_search_index')::text AS idx_indexes`,
      );
      const mib = (key: string) => round(Number(rows[0][key]) / 2 ** 20, 0);
      return {
        vacuumMs,
        records: mib('records'),
        recordsIndexes: mib('records_indexes'),
        index: mib('idx'),
        indexIndexes: mib('idx_indexes'),
      };
    });
    context.emit('archive_size', sizes.records, 'MiB', { records: ingested.archived, of_which_indexes_mib: sizes.recordsIndexes });
    context.emit('search_index_size', sizes.index, 'MiB', {
      of_which_indexes_mib: sizes.indexIndexes,
      vacuum_analyze_s: round(sizes.vacuumMs / 1000, 1),
    });

    if (settings.searches === 0) return { errors };
    const grpcPort = await freePort();
    service = await startService(context, env, grpcPort);
    const client = new GrpcServiceClient<auditV1.AuditServiceClient>(
      {
        caller: 'bench',
        url: `127.0.0.1:${grpcPort}`,
        packageName: 'atrium.audit.v1',
        protoPath: protoPathFor('audit'),
        identityKey,
        timeoutMs: 30_000,
      },
      auditV1.AUDIT_SERVICE_NAME,
    );
    try {
      const deadline = Date.now() + 60_000;
      while (!(await client.isServing())) {
        if (Date.now() > deadline) throw new Error('the audit service did not start within 60 s');
        await new Promise((done) => setTimeout(done, 200));
      }
      await client.call('grant', (c, md) => c.grantComplianceOfficer({ userid: 'officer', departmentIds: [] }, md), {
        corpId,
        userId: 'admin',
        roles: [SUPER_ADMIN_ROLE],
      });
      const officer = { corpId, userId: 'officer', roles: [] };
      const end = Date.now();
      const query = (keyword: string) => {
        const to = end - Math.floor(Math.random() * (365 - WINDOW_DAYS)) * DAY_MS;
        return {
          conversationId: '',
          participant: '',
          messageType: '',
          pageToken: '',
          keyword,
          pageSize: PAGE,
          fromTime: new Date(to - WINDOW_DAYS * DAY_MS).toISOString(),
          toTime: new Date(to).toISOString(),
        };
      };
      const measure = async (count: number, language: 'zh' | 'en', samples: number[], hits: number[]) => {
        for (let i = 0; i < count; i++) {
          const words = language === 'zh' ? ZH_WORDS : EN_WORDS;
          const keyword = words[Math.floor(Math.random() * words.length)];
          const started = performance.now();
          try {
            const page = await client.call('search', (c, md) => c.searchArchive(query(keyword), md), officer);
            samples.push(performance.now() - started);
            hits.push(page.messages.length);
          } catch (error) {
            errors++;
            context.log(`  search "${keyword}" failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      };
      context.log(`search warm-up: ${settings.warmupSearches} queries (not measured)`);
      await measure(settings.warmupSearches, 'zh', [], []);
      await measure(settings.warmupSearches, 'en', [], []);
      const serviceCpuBefore = readProcessCpuSeconds(service.pid!);
      const all: number[] = [];
      for (const language of ['zh', 'en'] as const) {
        const samples: number[] = [];
        const hits: number[] = [];
        context.log(`search: ${settings.searches / 2} ${language} queries, newest ${PAGE} in a ${WINDOW_DAYS}-day window, one client`);
        await measure(settings.searches / 2, language, samples, hits);
        if (samples.length === 0) continue;
        all.push(...samples);
        const s = summarize(samples);
        const extras = {
          language,
          term: language === 'zh' ? 'two Chinese characters' : 'one English word',
          window_days: WINDOW_DAYS,
          page: PAGE,
          samples: s.count,
          mean_hits: round(hits.reduce((a, b) => a + b, 0) / hits.length, 1),
          archived: ingested.archived,
        };
        context.emit(`search_${language}_p50`, round(s.p50), 'ms', extras);
        context.emit(`search_${language}_p95`, round(summarizeP95(samples)), 'ms', extras);
        context.log(
          `  ${language}: p50=${s.p50.toFixed(1)} p95=${summarizeP95(samples).toFixed(1)} p99=${s.p99.toFixed(1)} max=${s.max.toFixed(1)} ms`,
        );
      }
      if (all.length > 0) {
        const serviceCpu = (readProcessCpuSeconds(service.pid!) ?? 0) - (serviceCpuBefore ?? 0);
        context.emit('search_p95', round(summarizeP95(all)), 'ms', {
          samples: all.length,
          archived: ingested.archived,
          window_days: WINDOW_DAYS,
          page: PAGE,
          service_cpu_ms_per_search: round((1000 * serviceCpu) / all.length, 1),
        });
      }
    } finally {
      await client.close();
    }
  } finally {
    if (service) {
      service.kill('SIGTERM');
      await waitForExit(service);
    }
    if (keep)
      context.log(`kept the database (ATRIUM_BENCH_KEEP_DB=1): ${url.toString()} ATRIUM_AUDIT_MASTER_KEY=${env.ATRIUM_AUDIT_MASTER_KEY}`);
    else await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
  return { errors };
}

function summarizeP95(samples: number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    95,
  );
}

export const auditBench: BenchModule = {
  description: 'audit archive: ingest records/s (encrypted, chained, blind-indexed) and keyword search p95',
  // It starts what it measures (the CLI, then the audit service): no embedded platform idling beside it.
  platform: 'none',
  run,
};
