import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { directoryV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, PLATFORM_ADMIN_ROLE, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { Client } from 'pg';
import { freePort } from './platform-process';
import { readProcessCpuSeconds, readProcessMemory } from './proc';
import { round } from './stats';
import { BenchContext, BenchModule, BenchOutcome } from './types';

/**
 * Directory CSV import: a corp of 100,000 members (--quick: 10,000) in 1,000 departments, imported
 * through StartImport into a directory service running in its own process (node
 * dist/services/directory/src/main.js, on a fresh database of the test PostgreSQL, in-process event
 * bus and pub/sub), polled with GetImportJob until done. Timed from the StartImport call to the
 * first poll that sees the job done, so the numbers include the upload of the CSV over gRPC.
 *
 * The runner's embedded platform (started for every benchmark) stays idle meanwhile; its
 * platform_rss lines are not this benchmark's — directory_rss_peak is.
 */

const HOST = '127.0.0.1';
const POLL_MS = 200;
const JOB_TIMEOUT_MS = 15 * 60_000;
const DIVISIONS = 10;
const DEPARTMENTS_PER_DIVISION = 9;
const TEAMS_PER_DEPARTMENT = 10;

const log = (context: BenchContext, message: string) => context.log(`[directory-import] ${message}`);

/** ATRIUM_TEST_PG_URL from the environment, else from the .data/infra.env that `npm run infra:up` writes. */
function postgresUrl(): string {
  if (process.env.ATRIUM_TEST_PG_URL) return process.env.ATRIUM_TEST_PG_URL;
  const envFile = resolve(__dirname, '..', '..', '.data', 'infra.env');
  if (existsSync(envFile)) {
    const match = /^ATRIUM_TEST_PG_URL=(.+)$/m.exec(readFileSync(envFile, 'utf8'));
    if (match) return match[1].trim();
  }
  throw new Error('no PostgreSQL: set ATRIUM_TEST_PG_URL or start the test servers with npm run infra:up');
}

async function adminQuery<R extends object = object>(url: string, sql: string, parameters: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, parameters)).rows;
  } finally {
    await client.end();
  }
}

/**
 * CPU time of the PostgreSQL backends serving a database, by pid (PostgreSQL on this machine, as
 * the test servers are); empty when /proc cannot tell. A backend that exits takes its time with it.
 */
async function databaseCpu(url: string, database: string): Promise<Map<number, number>> {
  const rows = await adminQuery<{ pid: number }>(url, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = readProcessCpuSeconds(pid);
    if (seconds !== undefined) cpu.set(pid, seconds);
  }
  return cpu;
}

const cpuSpent = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);

interface DirectoryProcess {
  pid: number;
  grpcUrl: string;
  stop(): Promise<void>;
}

async function startDirectory(context: BenchContext, databaseUrl: string, identityKey: string): Promise<DirectoryProcess> {
  const mainPath = resolve(__dirname, '..', 'services', 'directory', 'src', 'main.js');
  if (!existsSync(mainPath)) throw new Error(`${mainPath} does not exist: run npm run build first`);
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(process.execPath, [mainPath], {
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) context.log(`[directory] ${line}`);
    });
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the directory service exited during start-up (code ${child.exitCode})`);
    try {
      const response = await fetch(`http://${HOST}:${httpPort}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the directory service was not healthy after 60 s');
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  if (child.pid === undefined) throw new Error('the directory service has no pid');
  return { pid: child.pid, grpcUrl: `${HOST}:${grpcPort}`, stop };
}

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩然子轩梓涵一诺欣怡博文俊杰思远雨萱',
];

/** The tree: 10 divisions under the root, 9 departments in each, 10 teams in each department. */
function departmentsCsv(): { csv: string; teams: number[] } {
  const rows = ['Department ID,Parent Department ID,Name,English Name,Order,Leaders'];
  const teams: number[] = [];
  let id = 1;
  for (let d = 0; d < DIVISIONS; d += 1) {
    const division = (id += 1);
    rows.push(`${division},1,事业部${d + 1},Division ${d + 1},,`);
    for (let p = 0; p < DEPARTMENTS_PER_DIVISION; p += 1) {
      const department = (id += 1);
      rows.push(`${department},${division},部门${d + 1}-${p + 1},Department ${d + 1}-${p + 1},,`);
      for (let t = 0; t < TEAMS_PER_DEPARTMENT; t += 1) {
        const team = (id += 1);
        teams.push(team);
        rows.push(`${team},${department},小组${d + 1}-${p + 1}-${t + 1},Team ${d + 1}-${p + 1}-${t + 1},,`);
      }
    }
  }
  return { csv: `${rows.join('\r\n')}\r\n`, teams };
}

/**
 * Members spread over the teams; the first member of a team leads it and is every teammate's
 * direct leader; one in ten also belongs to a second team. `position` varies so a second run can
 * change every member.
 */
function membersCsv(count: number, teams: number[], position: string): string {
  const rows = [
    'User ID,Name,Alias,English Name,Position,Mobile,Email,Telephone,Gender,Employee No,Address,Departments,Leader In Departments,Main Department,Direct Leaders,Enabled',
  ];
  const perTeam = Math.ceil(count / teams.length);
  for (let i = 0; i < count; i += 1) {
    const teamIndex = Math.floor(i / perTeam);
    const team = teams[teamIndex];
    const lead = teamIndex * perTeam;
    const userid = `u${String(i).padStart(6, '0')}`;
    const name = `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${i % 3 === 0 ? GIVEN[(i * 13) % GIVEN.length] : ''}`;
    const second = i % 10 === 5 ? teams[(teamIndex + 1) % teams.length] : undefined;
    const departments = second === undefined ? `${team}` : `${team};${second}`;
    const isLead = i === lead;
    rows.push(
      [
        userid,
        name,
        '',
        `Employee ${i}`,
        position,
        `139${String(i).padStart(8, '0')}`,
        `${userid}@bench.example.com`,
        '',
        i % 2 === 0 ? 'male' : 'female',
        `E${i}`,
        `"No. ${i}, Bench Road, Suzhou"`,
        departments,
        isLead ? `${team}` : '',
        `${team}`,
        isLead ? '' : `u${String(lead).padStart(6, '0')}`,
        'yes',
      ].join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}

interface Timed {
  job: directoryV1.ImportJob;
  seconds: number;
  validationSeconds?: number;
}

async function importAndWait(
  context: BenchContext,
  client: GrpcServiceClient<directoryV1.DirectoryServiceClient>,
  admin: CallerIdentity,
  kind: string,
  csv: string,
): Promise<Timed> {
  const started = performance.now();
  const { job } = await client.call('StartImport', (c, md) => c.startImport({ kind, mode: 'all_or_nothing', csv }, md), admin);
  let validated: number | undefined;
  let lastLogged = 0;
  for (;;) {
    const current = (await client.call('GetImportJob', (c, md) => c.getImportJob({ id: job!.id }, md), admin)).job!;
    const now = performance.now();
    if (validated === undefined && current.status !== 'validating') validated = now;
    if (['done', 'invalid', 'failed'].includes(current.status)) {
      return { job: current, seconds: (now - started) / 1000, validationSeconds: validated && (validated - started) / 1000 };
    }
    if (now - lastLogged > 5_000) {
      log(
        context,
        `${kind}: ${current.status} ${current.processedRows}/${current.totalRows} after ${((now - started) / 1000).toFixed(1)} s`,
      );
      lastLogged = now;
    }
    if (now - started > JOB_TIMEOUT_MS) throw new Error(`import job ${job!.id} still ${current.status} after ${JOB_TIMEOUT_MS / 1000} s`);
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

function checkDone(context: BenchContext, what: string, timed: Timed, rows: number): number {
  const { job } = timed;
  if (job.status === 'done' && job.errorCount === 0 && job.processedRows === rows) return 0;
  log(
    context,
    `${what}: ${job.status}, ${job.processedRows}/${rows} rows, ${job.errorCount} errors: ${JSON.stringify(job.errors.slice(0, 5))}`,
  );
  return 1;
}

export const directoryImportBench: BenchModule = {
  description: 'CSV import of 100,000 members (--quick: 10,000) in 1,000 departments, over gRPC, into a directory process',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const members = context.quick ? 10_000 : 100_000;
    const label = context.quick ? '10k' : '100k';
    const pgUrl = postgresUrl();
    const database = `bench_directory_import_${randomBytes(4).toString('hex')}`;
    const databaseUrl = new URL(pgUrl);
    databaseUrl.pathname = `/${database}`;
    const identityKey = randomBytes(32).toString('hex');
    await adminQuery(pgUrl, `CREATE DATABASE "${database}"`);
    let directory: DirectoryProcess | undefined;
    let client: GrpcServiceClient<directoryV1.DirectoryServiceClient> | undefined;
    let errors = 0;
    try {
      directory = await startDirectory(context, databaseUrl.toString(), identityKey);
      log(context, `directory service pid ${directory.pid} on ${directory.grpcUrl}, database ${database}`);
      client = new GrpcServiceClient<directoryV1.DirectoryServiceClient>(
        {
          caller: 'bench',
          url: directory.grpcUrl,
          packageName: 'atrium.directory.v1',
          protoPath: protoPathFor('directory'),
          identityKey,
          timeoutMs: 120_000,
        },
        directoryV1.DIRECTORY_SERVICE_NAME,
      );
      const created = await client.call(
        'CreateCorp',
        (c, md) =>
          c.createCorp(
            { code: 'bench', name: 'Bench Corp', adminUserid: 'admin', adminName: 'Admin', adminPassword: randomBytes(12).toString('hex') },
            md,
          ),
        { corpId: '', userId: 'operator:bench', roles: [PLATFORM_ADMIN_ROLE] },
      );
      const admin: CallerIdentity = { corpId: created.corp!.id, userId: 'admin', roles: [SUPER_ADMIN_ROLE] };

      const tree = departmentsCsv();
      const departments = await importAndWait(context, client, admin, 'departments', tree.csv);
      errors += checkDone(context, 'departments', departments, departments.job.totalRows);
      context.emit('import_1k_departments_seconds', round(departments.seconds, 2), 's', { rows: departments.job.totalRows });

      const csv = membersCsv(members, tree.teams, 'Engineer');
      log(context, `importing ${members} members (${(Buffer.byteLength(csv) / 1024 / 1024).toFixed(1)} MiB of CSV)`);
      const cpuBefore = { directory: readProcessCpuSeconds(directory.pid), database: await databaseCpu(pgUrl, database), ...context.cpu() };
      const first = await importAndWait(context, client, admin, 'members', csv);
      const cpuAfter = { directory: readProcessCpuSeconds(directory.pid), database: await databaseCpu(pgUrl, database), ...context.cpu() };
      errors += checkDone(context, 'members', first, members);
      const extras = { rows: members, departments: tree.teams.length + DIVISIONS * (DEPARTMENTS_PER_DIVISION + 1) };
      // CPU over the import, 100 % = one core: the directory process, and everything else the
      // machine ran (PostgreSQL included). A busy machine makes the wall-clock time pessimistic.
      const contention: Record<string, number> = {};
      if (cpuBefore.directory !== undefined && cpuAfter.directory !== undefined) {
        const directorySeconds = cpuAfter.directory - cpuBefore.directory;
        contention.directory_cpu_pct = round((directorySeconds / first.seconds) * 100, 0);
        if (cpuBefore.hostBusySeconds !== undefined && cpuAfter.hostBusySeconds !== undefined) {
          const own = directorySeconds + cpuAfter.generatorSeconds - cpuBefore.generatorSeconds;
          contention.other_cpu_pct = round(((cpuAfter.hostBusySeconds - cpuBefore.hostBusySeconds - own) / first.seconds) * 100, 0);
        }
      }
      context.emit(`import_${label}_seconds`, round(first.seconds, 2), 's', { ...extras, ...contention });
      context.emit('import_rows_per_second', round(members / first.seconds, 0), 'rows/s', extras);
      if (first.validationSeconds !== undefined) {
        context.emit('import_validation_seconds', round(first.validationSeconds, 2), 's', extras);
        context.emit('import_apply_seconds', round(first.seconds - first.validationSeconds, 2), 's', extras);
      }
      // The work itself, whatever else the machine was doing: on an idle machine the import takes
      // about as long as the larger of the two (they overlap only partly: each waits for the other).
      if (cpuBefore.directory !== undefined && cpuAfter.directory !== undefined)
        context.emit('import_directory_cpu_seconds', round(cpuAfter.directory - cpuBefore.directory, 1), 's', extras);
      if (cpuAfter.database.size > 0)
        context.emit('import_database_cpu_seconds', round(cpuSpent(cpuBefore.database, cpuAfter.database), 1), 's', extras);

      const unchanged = await importAndWait(context, client, admin, 'members', csv);
      errors += checkDone(context, 'unchanged re-import', unchanged, members);
      context.emit(`reimport_unchanged_${label}_seconds`, round(unchanged.seconds, 2), 's', extras);

      const updated = await importAndWait(context, client, admin, 'members', membersCsv(members, tree.teams, 'Senior Engineer'));
      errors += checkDone(context, 'updating re-import', updated, members);
      context.emit(`reimport_updated_${label}_seconds`, round(updated.seconds, 2), 's', extras);

      const exportStarted = performance.now();
      const exported = await client.call('ExportDirectory', (c, md) => c.exportDirectory({ kind: 'members' }, md), admin);
      const exportSeconds = (performance.now() - exportStarted) / 1000;
      const exportedRows = exported.csv.split('\r\n').length - 2; // the header, and the empty string after the last CRLF
      if (exportedRows !== members + 1) {
        log(context, `export: ${exportedRows} members, expected ${members + 1} (the imported ones and the admin)`);
        errors += 1;
      }
      context.emit(`export_${label}_seconds`, round(exportSeconds, 2), 's', { bytes: Buffer.byteLength(exported.csv) });

      const memory = readProcessMemory(directory.pid);
      if (memory) context.emit('directory_rss_peak', round(memory.peakRssMiB, 1), 'MiB', { pid: directory.pid });
      return { errors };
    } finally {
      await client?.close();
      await directory?.stop();
      await adminQuery(pgUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch((error: unknown) => {
        log(context, `could not drop ${database}: ${String(error)}`);
        return [];
      });
    }
  },
};
