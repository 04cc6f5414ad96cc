import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from './platform-process';
import { readProcessCpuSeconds, readProcessMemory } from './proc';

/**
 * The platform as a cluster runs it, on this machine: the six services as separate processes
 * (plus extra gateway replicas) against the PostgreSQL, Redis and Kafka that `npm run infra:up`
 * starts, through `node dist/apps/atrium/src/start-services.js` in a child process. Each run gets
 * its own databases and topics (a random prefix) and drops its databases at the end.
 */
export interface ServicesPlatform {
  gatewayUrls: string[];
  password: string;
  jwtSecret: string;
  processes: { service: string; pid: number }[];
  /** Resident memory (MiB) of each process of a service, in the order of `processes`. */
  rssMiB(service: string): number[];
  /** CPU seconds used so far by all processes of the platform. */
  cpuSeconds(): number;
  /** CPU seconds used so far by each service (its replicas summed). */
  cpuSecondsByService(): Record<string, number>;
  databaseUrl(service: string): string;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..');
const SERVICES = ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'];

const INFRA_KEYS = ['ATRIUM_TEST_PG_URL', 'ATRIUM_TEST_REDIS_URL', 'ATRIUM_TEST_KAFKA_BROKERS'] as const;

/**
 * The servers named by ATRIUM_TEST_* if all are set, else by the .data/infra.env that
 * `npm run infra:up` writes. Never starts servers itself: on a machine shared with other test
 * runs, `scripts/infra up` would act on servers they are using.
 */
function infraEnv(): Record<string, string> {
  const fromEnvironment = INFRA_KEYS.map((key) => [key, process.env[key]] as const);
  if (fromEnvironment.every(([, value]) => value)) return Object.fromEntries(fromEnvironment) as Record<string, string>;
  const envFile = join(ROOT, '.data', 'infra.env');
  const fromFile = existsSync(envFile)
    ? Object.fromEntries(
        readFileSync(envFile, 'utf8')
          .split('\n')
          .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1], m[2]]),
      )
    : {};
  const missing = INFRA_KEYS.filter((key) => !fromFile[key]);
  if (missing.length > 0)
    throw new Error(`${missing.join(', ')} not set and not in ${envFile}: start the test servers with npm run infra:up`);
  return Object.fromEntries(INFRA_KEYS.map((key) => [key, fromFile[key]]));
}

export async function startServicesPlatform(options: {
  gatewayReplicas: number;
  log: (message: string) => void;
}): Promise<ServicesPlatform> {
  const entry = join(ROOT, 'dist', 'apps', 'atrium', 'src', 'start-services.js');
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run npm run build first`);
  const infra = infraEnv();
  const pgUrl = infra.ATRIUM_TEST_PG_URL;
  const prefix = `bench_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-bench-services-'));
  const password = randomBytes(18).toString('base64url');
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      ...infra,
      PORT: String(port),
      ATRIUM_DATA_DIR: dataDir,
      ATRIUM_ADMIN_PASSWORD: password,
      ATRIUM_DATABASE_PREFIX: prefix,
      ATRIUM_GATEWAY_REPLICAS: String(options.gatewayReplicas),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(signal ? `signal ${signal}` : `code ${code}`)));
  let started = false;
  const ready = new Promise<void>((done, fail) => {
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('is running at')) {
          started = true;
          done();
        }
        // Only problems are interesting once the platform is up; before that, everything is.
        if (!started || /"level":(40|50|60)|error/i.test(line)) options.log(`[services] ${line}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((how) => fail(new Error(`start-services exited during start-up (${how})`)));
  });
  const timeout = setTimeout(() => child.kill('SIGTERM'), 240_000);
  options.log(`starting six services + ${options.gatewayReplicas - 1} extra gateway replica(s), databases ${prefix}_*`);
  const startedAt = Date.now();
  await ready.finally(() => clearTimeout(timeout));
  options.log(`services up after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  void exited.then((how) => {
    if (!stopping) options.log(`start-services exited on its own (${how}) while in use: the numbers of this run are not valid`);
  });

  const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as {
    gatewayUrls: string[];
    processes: { service: string; pid: number }[];
  };
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { jwtSecret: string };
  let stopping: Promise<void> | undefined;
  const databaseUrl = (service: string) => {
    const url = new URL(pgUrl);
    url.pathname = `/${prefix}_${service}`;
    return url.toString();
  };
  return {
    gatewayUrls: runtime.gatewayUrls,
    password,
    jwtSecret: secrets.jwtSecret,
    processes: runtime.processes,
    rssMiB: (service) => runtime.processes.filter((p) => p.service === service).map((p) => readProcessMemory(p.pid)?.rssMiB ?? NaN),
    cpuSeconds: () => runtime.processes.reduce((sum, p) => sum + (readProcessCpuSeconds(p.pid) ?? 0), 0),
    cpuSecondsByService: () => {
      const byService: Record<string, number> = {};
      for (const p of runtime.processes) byService[p.service] = (byService[p.service] ?? 0) + (readProcessCpuSeconds(p.pid) ?? 0);
      return byService;
    },
    databaseUrl,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await exited;
          clearTimeout(killer);
        }
        const admin = new Client({ connectionString: pgUrl });
        await admin.connect();
        try {
          for (const service of SERVICES) await admin.query(`DROP DATABASE IF EXISTS "${prefix}_${service}" WITH (FORCE)`);
        } finally {
          await admin.end();
        }
        rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}
