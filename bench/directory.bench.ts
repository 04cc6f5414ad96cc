import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { directoryV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, openDatabase, SUPER_ADMIN_ROLE } from '@atrium/platform';
// The benchmark seeds the directory's own schema with the directory's own term builder, so it
// reaches into the service on purpose (a benchmark is not a service and ships nowhere).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { directoryService } from '@atrium/service-directory';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { memberSearchTerms, readingCombinations } from '../services/directory/src/search/search-terms';
import { ErrorTally, RequestFailure } from './load';
import { freePort } from './platform-process';
import { readHostBusySeconds, readProcessCpuSeconds, readProcessMemory } from './proc';
import { percentile, round, summarize } from './stats';
import { BenchContext, BenchModule, BenchOutcome, MetricExtras } from './types';

/**
 * Directory at corp scale: a corp of 100,000 members in 5,000 departments, bulk-loaded into a
 * database of its own on the test cluster, served by the directory service in a child process;
 * this process calls it over gRPC as the other services do. Measures resolving a department
 * subtree of ~20,000 members (ResolveRecipients, every page) and SearchMembers with a mix of
 * pinyin, Chinese, mobile and random queries.
 */

interface Settings {
  members: number;
  departments: number;
  /** Top-level divisions under the root; the first holds `bigShare` of everyone. */
  divisions: number;
  bigShare: number;
  resolveWarmup: number;
  resolveSamples: number;
  searchWarmup: number;
  searchPerKind: number;
}

const FULL: Settings = {
  members: 100_000,
  departments: 5_000,
  divisions: 10,
  bigShare: 0.19,
  resolveWarmup: 5,
  resolveSamples: 60,
  searchWarmup: 100,
  searchPerKind: 300,
};
const QUICK: Settings = {
  members: 10_000,
  departments: 500,
  divisions: 10,
  bigShare: 0.19,
  resolveWarmup: 3,
  resolveSamples: 20,
  searchWarmup: 30,
  searchPerKind: 40,
};

const RESOLVE_PAGE_SIZE = 20_000;
const SEARCH_LIMIT = 20;
const MAX_DEPTH = 7;
const BATCH = 5_000;
const HOST = '127.0.0.1';

// --- realistic names -----------------------------------------------------------------------------

// The commonest surnames, roughly by frequency, with polyphonic and compound ones further down.
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解朴仇查',
  '欧阳',
  '司马',
  '诸葛',
  '上官',
];
const GIVEN = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉建国志文斌浩宇晨欣怡佳琪子涵梓轩雨思博俊嘉宁昊然家乐一诗晓婷雪丹阳飞鑫海波林颖莉慧婧倩琳瑶晶天翔瑞凯峰亮成伦坤宏长重行和朝小',
];
const ENGLISH = ['Kevin', 'Lucy', 'Tony', 'Grace', 'Jack', 'Amy', 'Leo', 'Cindy', 'Eric', 'Vivian', 'Sam', 'Iris', 'David', 'Coco'];

/** mulberry32: the same corp on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-like: the first entries are much commoner, as surnames are. */
function weightedPicker<T>(items: T[], exponent: number, random: () => number): () => T {
  const weights = items.map((_, i) => 1 / (i + 1) ** exponent);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w / total));
  return () => {
    const r = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return items[lo];
  };
}

// --- the seeded corp -----------------------------------------------------------------------------

interface Department {
  id: number;
  parentId: number | null;
  path: number[];
  division: number;
}

interface SeededMember {
  userid: string;
  name: string;
  mobile: string;
  status: 'active' | 'disabled' | 'offboarded';
}

interface Seeded {
  corpId: string;
  bigDivisionId: number;
  members: SeededMember[];
  terms: number;
}

function buildDepartments(settings: Settings, random: () => number): Department[] {
  const departments: Department[] = [{ id: 1, parentId: null, path: [1], division: -1 }];
  const byDivision: Department[][] = [];
  for (let d = 0; d < settings.divisions; d++) {
    const division = { id: 2 + d, parentId: 1, path: [1, 2 + d], division: d };
    departments.push(division);
    byDivision.push([division]);
  }
  for (let id = departments.length + 1; departments.length < settings.departments; id++) {
    const d = random() < settings.bigShare ? 0 : 1 + Math.floor(random() * (settings.divisions - 1));
    const candidates = byDivision[d];
    let parent = candidates[Math.floor(random() * candidates.length)];
    if (parent.path.length >= MAX_DEPTH) parent = byDivision[d][0];
    const department = { id, parentId: parent.id, path: [...parent.path, id], division: d };
    departments.push(department);
    candidates.push(department);
  }
  return departments;
}

function testPostgresUrl(): string {
  if (process.env.ATRIUM_TEST_PG_URL) return process.env.ATRIUM_TEST_PG_URL;
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, '.data', 'infra.env');
    if (!existsSync(file)) continue;
    const match = /^ATRIUM_TEST_PG_URL=(.*)$/m.exec(readFileSync(file, 'utf8'));
    if (match) return match[1].trim();
  }
  throw new Error('ATRIUM_TEST_PG_URL is not set and no .data/infra.env names it: start the test servers with npm run infra:up');
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createBenchDatabase(clusterUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `bench_directory_${randomBytes(4).toString('hex')}`;
  await adminQuery(clusterUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(clusterUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * Migrates with the directory's own migrations, then bulk-loads with multi-row INSERTs (unnest of
 * arrays, 5,000 members a statement; constraints and foreign keys checked as usual). Search terms
 * come from the service's own term builder; the pinyin of the next batch is computed while
 * PostgreSQL writes the previous one.
 */
async function seed(url: string, settings: Settings, context: BenchContext): Promise<Seeded> {
  const random = prng(20_240_601);
  const surname = weightedPicker(SURNAMES, 1, random);
  const given = weightedPicker(GIVEN, 0.6, random);
  const dataSource = await openDatabase({ url, entities: [], migrations: directoryService().database.migrations, poolSize: 2 });
  try {
    const [{ id: corpId }] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO corps (code, name) VALUES ('bench', '基准测试集团') RETURNING id`,
    );
    const departments = buildDepartments(settings, random);
    await dataSource.query(
      `INSERT INTO departments (corp_id, id, parent_id, name, path)
       SELECT $1, d.id, d.parent_id, d.name, d.path::int[] FROM unnest($2::int[], $3::int[], $4::text[], $5::text[]) AS d(id, parent_id, name, path)`,
      [
        corpId,
        departments.map((d) => d.id),
        departments.map((d) => d.parentId),
        departments.map((d) => (d.id === 1 ? '基准测试集团' : `部门${d.id}`)),
        departments.map((d) => `{${d.path.join(',')}}`),
      ],
    );
    const byDivision: number[][] = Array.from({ length: settings.divisions }, () => []);
    for (const d of departments) if (d.division >= 0) byDivision[d.division].push(d.id);
    const otherDivision = () => 1 + Math.floor(random() * (settings.divisions - 1));

    await dataSource.query(
      `INSERT INTO members (corp_id, userid, name, status, roles, main_department, email) VALUES ($1, 'admin', '管理员', 'active', '{super_admin}', 1, 'admin@bench.example.com')`,
      [corpId],
    );
    await dataSource.query(`INSERT INTO member_departments (corp_id, userid, department_id) VALUES ($1, 'admin', 1)`, [corpId]);
    await dataSource.query(`INSERT INTO admin_scopes (corp_id, userid, role) VALUES ($1, 'admin', 'super_admin')`, [corpId]);

    // The usual bulk load: secondary indexes of the search table come off and are rebuilt from
    // their own definitions afterwards (a GIN build is far cheaper than a million GIN inserts).
    const searchIndexes = await dataSource.query<{ name: string; definition: string }[]>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
        WHERE tablename = 'member_search_terms' AND schemaname = current_schema() AND indexname <> 'member_search_terms_pkey'`,
    );
    for (const index of searchIndexes) await dataSource.query(`DROP INDEX "${index.name}"`);

    const pinyinOf = new Map<string, string>();
    const members: SeededMember[] = [];
    let terms = 0;
    let pending: Promise<unknown> = Promise.resolve();
    for (let start = 0; start < settings.members; start += BATCH) {
      const rows: (SeededMember & { nameEn: string; email: string; departments: number[] })[] = [];
      for (let i = start; i < Math.min(start + BATCH, settings.members); i++) {
        const name = surname() + given() + (random() < 0.7 ? given() : '');
        let full = pinyinOf.get(name);
        if (full === undefined) {
          full = (readingCombinations(name)[0] ?? ['m']).join('');
          pinyinOf.set(name, full);
        }
        const userid = `${full}${i}`;
        const division = random() < settings.bigShare ? 0 : otherDivision();
        const main = byDivision[division][Math.floor(random() * byDivision[division].length)];
        const second = departments[1 + Math.floor(random() * (departments.length - 1))].id;
        const roll = random();
        rows.push({
          userid,
          name,
          nameEn:
            random() < 0.2 ? `${ENGLISH[Math.floor(random() * ENGLISH.length)]} ${full.slice(0, 1).toUpperCase()}${full.slice(1, 6)}` : '',
          // A bijection of i onto 9 digits: unique, and spread over every prefix.
          mobile: `1${'35789'[i % 5]}${String((i * 7_919 + 12_345) % 1_000_000_000).padStart(9, '0')}`,
          email: `${userid}@bench.example.com`,
          status: roll < 0.01 ? 'offboarded' : roll < 0.04 ? 'disabled' : 'active',
          departments: random() < 0.05 && second !== main ? [main, second] : [main],
        });
      }
      const termRows = rows
        .filter((m) => m.status !== 'offboarded')
        .flatMap((m) => memberSearchTerms({ ...m, alias: '' }).map((t) => ({ userid: m.userid, ...t })));
      terms += termRows.length;
      members.push(...rows.map(({ userid, name, mobile, status }) => ({ userid, name, mobile, status })));
      await pending;
      pending = dataSource.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO members (corp_id, userid, name, status, main_department, name_en, mobile, email)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[])`,
          [
            corpId,
            rows.map((r) => r.userid),
            rows.map((r) => r.name),
            rows.map((r) => r.status),
            rows.map((r) => r.departments[0]),
            rows.map((r) => r.nameEn),
            rows.map((r) => r.mobile),
            rows.map((r) => r.email),
          ],
        );
        const memberships = rows.flatMap((r) => r.departments.map((d) => [r.userid, d] as const));
        await tx.query(`INSERT INTO member_departments (corp_id, userid, department_id) SELECT $1, * FROM unnest($2::text[], $3::int[])`, [
          corpId,
          memberships.map((m) => m[0]),
          memberships.map((m) => m[1]),
        ]);
        await tx.query(
          `INSERT INTO member_search_terms (corp_id, userid, term, field, partial) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bool[])`,
          [
            corpId,
            termRows.map((t) => t.userid),
            termRows.map((t) => t.term),
            termRows.map((t) => t.field),
            termRows.map((t) => t.partial),
          ],
        );
      });
      if ((start / BATCH) % 5 === 4) context.log(`  seeded ${members.length} members`);
    }
    await pending;
    for (const index of searchIndexes) await dataSource.query(index.definition);
    // Fresh statistics, and a visibility map so the term index is read without the heap.
    await dataSource.query(`VACUUM (ANALYZE)`);
    return { corpId, bigDivisionId: byDivision[0][0], members, terms };
  } finally {
    await dataSource.destroy();
  }
}

// --- the directory service in its own process -----------------------------------------------------

interface ServiceProcess {
  pid: number;
  grpcUrl: string;
  identityKey: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

async function startDirectory(databaseUrl: string, log: (message: string) => void): Promise<ServiceProcess> {
  const mainPath = resolve(__dirname, '..', 'services', 'directory', 'src', 'main.js');
  if (!existsSync(mainPath)) throw new Error(`${mainPath} does not exist: run npm run build first`);
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const identityKey = randomBytes(32).toString('hex');
  const child = spawn(process.execPath, [mainPath], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ATRIUM_EVENT_BUS: 'inprocess',
      ATRIUM_PUBSUB: 'inprocess',
      ATRIUM_IDENTITY_KEY: identityKey,
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      LOG_LEVEL: 'warn',
    },
    // Its logs go to stderr with ours: stdout carries only result lines.
    stdio: ['ignore', 2, 2],
  });
  live.add(child);
  if (child.pid === undefined) throw new Error('the directory service did not start');
  const pid = child.pid;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await exited(child, 20_000))) {
        child.kill('SIGKILL');
        await exited(child, 10_000);
      }
    }
    live.delete(child);
  };
  log(`starting the directory service (pid ${pid}), gRPC on ${HOST}:${grpcPort}`);
  const startedAt = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the directory service exited during start-up`);
    if (Date.now() - startedAt > 120_000) {
      await stop();
      throw new Error('the directory service was not ready after 120 s');
    }
    try {
      const response = await fetch(`http://${HOST}:${httpPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await delay(200);
  }
  log(`directory ready after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return { pid, grpcUrl: `${HOST}:${grpcPort}`, identityKey, stop };
}

// --- measurements --------------------------------------------------------------------------------

type Directory = GrpcServiceClient<directoryV1.DirectoryServiceClient>;

function emitLatencies(context: BenchContext, prefix: string, samples: number[], extras: MetricExtras): void {
  if (samples.length === 0) {
    context.log(`  ${prefix}: no successful request, no latency to report`);
    return;
  }
  const s = summarize(samples);
  const p95 = percentile(
    [...samples].sort((a, b) => a - b),
    95,
  );
  context.emit(`${prefix}_p50`, round(s.p50), 'ms', { ...extras, samples: s.count });
  context.emit(`${prefix}_p95`, round(p95), 'ms', { ...extras, samples: s.count });
  context.log(`  ${prefix}: n=${s.count} p50=${s.p50.toFixed(2)} p95=${p95.toFixed(2)} p99=${s.p99.toFixed(2)} max=${s.max.toFixed(2)} ms`);
}

/**
 * CPU over a phase, 100 % = one core: the directory service, this process, the idle platform the
 * runner started (it takes no part here, but shares the machine), and the whole host (the rest is
 * PostgreSQL executing the queries, and whatever else runs on the machine).
 */
function cpuMeter(context: BenchContext, pid: number): () => MetricExtras {
  const before = { service: readProcessCpuSeconds(pid), run: context.cpu(), host: readHostBusySeconds(), at: performance.now() };
  return () => {
    const seconds = (performance.now() - before.at) / 1000;
    const pct = (now: number | undefined, then: number | undefined) =>
      now !== undefined && then !== undefined ? round((100 * (now - then)) / seconds, 0) : undefined;
    const run = context.cpu();
    const extras: MetricExtras = {};
    const entries: [string, number | undefined][] = [
      ['service_cpu_pct', pct(readProcessCpuSeconds(pid), before.service)],
      ['loadgen_cpu_pct', pct(run.generatorSeconds, before.run.generatorSeconds)],
      ['idle_platform_cpu_pct', pct(run.platformSeconds, before.run.platformSeconds)],
      ['host_cpu_pct', pct(readHostBusySeconds(), before.host)],
    ];
    for (const [key, value] of entries) if (value !== undefined) extras[key] = value;
    // Runnable processes per core, averaged over the last minute: above 1, the numbers queued for CPU.
    extras.host_load_per_core = round(loadavg()[0] / cpus().length, 2);
    return extras;
  };
}

async function resolveSubtree(
  directory: Directory,
  admin: CallerIdentity,
  departmentId: number,
): Promise<{ userids: number; pages: number }> {
  let pageToken = '';
  let userids = 0;
  let pages = 0;
  let total = 0;
  do {
    const page = await directory.call(
      'ResolveRecipients',
      (c, md) =>
        c.resolveRecipients(
          { userids: [], departmentIds: [departmentId], directDepartmentIds: [], tagIds: [], pageSize: RESOLVE_PAGE_SIZE, pageToken },
          md,
        ),
      admin,
    );
    userids += page.userids.length;
    total = page.total;
    pages += 1;
    pageToken = page.nextPageToken;
  } while (pageToken);
  if (userids !== total) throw new RequestFailure(`ResolveRecipients paged ${userids} userids but reported a total of ${total}`);
  return { userids, pages };
}

type QueryKind = 'initials' | 'full_pinyin' | 'mixed_pinyin' | 'chinese_prefix' | 'given_name' | 'mobile_prefix' | 'random';
const KINDS: QueryKind[] = ['initials', 'full_pinyin', 'mixed_pinyin', 'chinese_prefix', 'given_name', 'mobile_prefix', 'random'];

/** Queries a user would type, drawn from the seeded members (plus random strings that mostly miss). */
function queryFor(kind: QueryKind, members: SeededMember[], random: () => number): string {
  const member = members[Math.floor(random() * members.length)];
  const chars = [...member.name];
  const syllables = readingCombinations(member.name)[0] ?? ['x'];
  switch (kind) {
    case 'initials':
      return syllables.map((s) => s[0]).join('');
    case 'full_pinyin':
      return syllables.join('');
    case 'mixed_pinyin':
      return (
        syllables[0] +
        syllables
          .slice(1)
          .map((s) => s[0])
          .join('')
      );
    case 'chinese_prefix':
      return chars.slice(0, 1 + Math.floor(random() * 2)).join('');
    case 'given_name':
      return chars.slice(-2).join('');
    case 'mobile_prefix':
      return member.mobile.slice(0, 3 + Math.floor(random() * 5));
    case 'random':
      return Array.from({ length: 3 + Math.floor(random() * 4) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)]).join('');
  }
}

async function measure(
  context: BenchContext,
  settings: Settings,
  seeded: Seeded,
  service: ServiceProcess,
  errors: ErrorTally,
): Promise<void> {
  const directory: Directory = new GrpcServiceClient(
    {
      caller: 'bench',
      url: service.grpcUrl,
      packageName: 'atrium.directory.v1',
      protoPath: protoPathFor('directory'),
      identityKey: service.identityKey,
      timeoutMs: 30_000,
    },
    directoryV1.DIRECTORY_SERVICE_NAME,
  );
  const admin: CallerIdentity = { corpId: seeded.corpId, userId: 'admin', roles: [SUPER_ADMIN_ROLE] };
  try {
    // --- ResolveRecipients of the big division's subtree, every page ---------------------------
    context.log(`resolve: department ${seeded.bigDivisionId} with its subtree, page_size ${RESOLVE_PAGE_SIZE}`);
    let shape = { userids: 0, pages: 0 };
    for (let i = 0; i < settings.resolveWarmup; i++) shape = await resolveSubtree(directory, admin, seeded.bigDivisionId);
    const resolveCpu = cpuMeter(context, service.pid);
    const resolveTimes: number[] = [];
    for (let i = 0; i < settings.resolveSamples; i++) {
      const sentAt = performance.now();
      try {
        shape = await resolveSubtree(directory, admin, seeded.bigDivisionId);
        resolveTimes.push(performance.now() - sentAt);
      } catch (error) {
        errors.record('resolve', error);
      }
    }
    emitLatencies(context, 'resolve_subtree', resolveTimes, {
      members: shape.userids,
      pages: shape.pages,
      page_size: RESOLVE_PAGE_SIZE,
      mode: 'sequential',
      ...resolveCpu(),
    });

    // --- SearchMembers ----------------------------------------------------------------------------
    const random = prng(7);
    const plan = KINDS.flatMap((kind) =>
      Array.from({ length: settings.searchPerKind }, () => ({ kind, query: queryFor(kind, seeded.members, random) })),
    );
    for (let i = plan.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [plan[i], plan[j]] = [plan[j], plan[i]];
    }
    const search = async (query: string) => {
      const response = await directory.call('SearchMembers', (c, md) => c.searchMembers({ query, limit: SEARCH_LIMIT }, md), admin);
      if (response.hits.length > SEARCH_LIMIT) throw new RequestFailure(`SearchMembers "${query}" returned ${response.hits.length} hits`);
      return response.hits.length;
    };
    context.log(`search: ${plan.length} queries (${KINDS.join(', ')}), limit ${SEARCH_LIMIT}, one at a time`);
    for (const { query } of plan.slice(0, settings.searchWarmup))
      await search(query).catch((error) => errors.record('search warm-up', error));
    const searchCpu = cpuMeter(context, service.pid);
    const byKind = new Map<QueryKind, number[]>(KINDS.map((k) => [k, []]));
    const all: number[] = [];
    let empty = 0;
    for (const { kind, query } of plan) {
      const sentAt = performance.now();
      try {
        if ((await search(query)) === 0) empty += 1;
        const ms = performance.now() - sentAt;
        all.push(ms);
        byKind.get(kind)!.push(ms);
      } catch (error) {
        errors.record(`search ${kind}`, error);
      }
    }
    emitLatencies(context, 'search', all, { limit: SEARCH_LIMIT, mode: 'sequential', empty_results: empty, ...searchCpu() });
    for (const [kind, samples] of byKind) {
      if (samples.length === 0) continue;
      const sorted = [...samples].sort((a, b) => a - b);
      context.emit('search_p95_by_kind', round(percentile(sorted, 95)), 'ms', {
        kind,
        samples: samples.length,
        p50: round(percentile(sorted, 50)),
      });
    }
  } finally {
    await directory.close();
  }
}

async function run(context: BenchContext): Promise<BenchOutcome> {
  const settings = context.quick ? QUICK : FULL;
  const errors = new ErrorTally();
  const database = await createBenchDatabase(testPostgresUrl());
  let service: ServiceProcess | undefined;
  try {
    context.log(`seeding ${settings.members} members in ${settings.departments} departments into database ${database.name}`);
    const startedAt = performance.now();
    const seeded = await seed(database.url, settings, context);
    const seedSeconds = (performance.now() - startedAt) / 1000;
    context.emit('seed_seconds', round(seedSeconds, 1), 's', {
      members: settings.members,
      departments: settings.departments,
      search_terms: seeded.terms,
    });
    context.log(`  seeded in ${seedSeconds.toFixed(1)} s (${seeded.terms} search terms)`);

    service = await startDirectory(database.url, (message) => context.log(message));
    await measure(context, settings, seeded, service, errors);
    const memory = readProcessMemory(service.pid);
    if (memory) context.emit('directory_rss', round(memory.rssMiB, 1), 'MiB', { pid: service.pid, peak_mib: round(memory.peakRssMiB, 1) });
  } catch (error) {
    errors.record('aborted', error);
    context.log(`run aborted: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await service?.stop();
    if (process.env.ATRIUM_BENCH_KEEP_DB === '1') {
      context.log(`kept database ${database.name} (ATRIUM_BENCH_KEEP_DB=1): drop it when done`);
    } else {
      await database.drop();
      context.log(`dropped database ${database.name}`);
    }
  }
  if (errors.total > 0) for (const line of errors.describe()) context.log(`  failed: ${line}`);
  return { errors: errors.total };
}

export const directoryBench: BenchModule = {
  description: 'a 100k-member corp: ResolveRecipients of a 20k subtree and SearchMembers over gRPC (p50/p95), seed time',
  run,
};
