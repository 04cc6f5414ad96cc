import { ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AnyService, BACKEND_SERVICES, BackendService, freeLoopbackPort } from './launch-platform';

export interface ProcessPlatformOptions {
  /** A superuser URL of the PostgreSQL server; one database per service is created on it. */
  pgAdminUrl: string;
  databasePrefix: string;
  kafkaBrokers: string[];
  topicPrefix?: string;
  redisUrl: string;
  identityKey: string;
  jwtSecret: string;
  gatewayPort: number;
  logLevel?: string;
  /** Root of the built tree (`dist/`). */
  distDir: string;
  extraEnv?: Partial<Record<AnyService, Record<string, string>>>;
  /**
   * Niceness (0–19) for the services off the live path: the archive (audit), approval and report.
   * On one host their catch-up after a burst then waits for the gateways and messaging instead of
   * delaying deliveries, as lower CPU requests do in a cluster. 0 (the default): all alike.
   */
  backgroundNice?: number;
  onOutput?: (service: AnyService, line: string) => void;
}

export interface ServiceProcess {
  name: AnyService;
  httpPort: number;
  grpcPort: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ProcessPlatform {
  gatewayUrl: string;
  grpcUrls: Record<BackendService, string>;
  databaseUrls: Record<AnyService, string>;
  processes: Record<AnyService, ServiceProcess>;
  /** Starts a stopped (or killed) service again on the same ports. */
  restart(service: AnyService): Promise<void>;
  /** Another gateway replica (same configuration, its own port), as a second pod would be. */
  addGatewayReplica(): Promise<{ url: string; process: ServiceProcess; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

async function ensureDatabases(adminUrl: string, names: string[]): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = new Set(((await client.query('SELECT datname FROM pg_database')).rows as { datname: string }[]).map((r) => r.datname));
    for (const name of names) if (!existing.has(name)) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function waitHttp(url: string, accept: (status: number, body: string) => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (accept(res.status, body)) return;
      last = `${res.status} ${body}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms (last: ${last})`);
}

/**
 * The platform as six OS processes against real PostgreSQL, Kafka and Redis: how it runs in a
 * cluster, minus Kubernetes. Used by `npm run start:services` and by the process-level tests.
 */
/** Services whose work is asynchronous: nothing a user waits for in a conversation runs there. */
const BACKGROUND_SERVICES = new Set<AnyService>(['audit', 'approval', 'report']);

function lowerPriority(pid: number, nice: number): void {
  try {
    setPriority(pid, Math.min(19, Math.max(0, nice)));
  } catch {
    // Not permitted here (a restricted container): every service keeps the default priority.
  }
}

export async function startServiceProcesses(options: ProcessPlatformOptions): Promise<ProcessPlatform> {
  const all: AnyService[] = [...BACKEND_SERVICES, 'gateway'];
  const databaseNames = Object.fromEntries(all.map((s) => [s, `${options.databasePrefix}_${s}`])) as Record<AnyService, string>;
  await ensureDatabases(options.pgAdminUrl, Object.values(databaseNames));
  const databaseUrls = Object.fromEntries(
    all.map((s) => {
      const url = new URL(options.pgAdminUrl);
      url.pathname = `/${databaseNames[s]}`;
      return [s, url.toString()];
    }),
  ) as Record<AnyService, string>;
  const ports = {} as Record<AnyService, { http: number; grpc: number }>;
  for (const s of all)
    ports[s] = {
      http: s === 'gateway' ? options.gatewayPort || (await freeLoopbackPort()) : await freeLoopbackPort(),
      grpc: await freeLoopbackPort(),
    };
  const grpcUrls = Object.fromEntries(BACKEND_SERVICES.map((s) => [s, `127.0.0.1:${ports[s].grpc}`])) as Record<BackendService, string>;

  const envFor = (service: AnyService): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    HTTP_PORT: String(ports[service].http),
    GRPC_PORT: String(ports[service].grpc),
    DATABASE_URL: databaseUrls[service],
    ATRIUM_EVENT_BUS: 'kafka',
    ATRIUM_PUBSUB: 'redis',
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: options.topicPrefix ?? '',
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.topicPrefix ?? '',
    ATRIUM_IDENTITY_KEY: options.identityKey,
    LOG_LEVEL: options.logLevel ?? 'info',
    ...(service === 'messaging' ? { DIRECTORY_GRPC_URL: grpcUrls.directory } : {}),
    ...(service === 'gateway'
      ? {
          PORT: String(ports.gateway.http),
          JWT_SECRET: options.jwtSecret,
          DIRECTORY_GRPC_URL: grpcUrls.directory,
          MESSAGING_GRPC_URL: grpcUrls.messaging,
          APPROVAL_GRPC_URL: grpcUrls.approval,
          REPORT_GRPC_URL: grpcUrls.report,
          AUDIT_GRPC_URL: grpcUrls.audit,
        }
      : {}),
    ...options.extraEnv?.[service],
  });

  const processes = {} as Record<AnyService, ServiceProcess>;
  const spawnService = async (service: AnyService): Promise<void> => {
    const child = spawn(process.execPath, [...serviceNodeArgs(), join(options.distDir, 'services', service, 'src', 'main.js')], {
      env: envFor(service),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (BACKGROUND_SERVICES.has(service) && options.backgroundNice && child.pid) lowerPriority(child.pid, options.backgroundNice);
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) options.onOutput?.(service, line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    processes[service] = { name: service, httpPort: ports[service].http, grpcPort: ports[service].grpc, child, exited };
    const failedEarly = exited.then(({ code, signal }) => {
      throw new Error(`${service} exited during start-up (code ${code}, signal ${signal})`);
    });
    await Promise.race([
      waitHttp(`http://127.0.0.1:${ports[service].http}/readyz`, (status) => status === 200, 90_000, service),
      failedEarly,
    ]);
    failedEarly.catch(() => undefined);
  };

  const stopService = async (service: AnyService): Promise<void> => {
    const proc = processes[service];
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
    await proc.exited;
    clearTimeout(timer);
  };

  try {
    await Promise.all(BACKEND_SERVICES.map(spawnService));
    await spawnService('gateway');
  } catch (error) {
    await Promise.all(Object.keys(processes).map((s) => stopService(s as AnyService)));
    throw error;
  }

  return {
    gatewayUrl: `http://127.0.0.1:${ports.gateway.http}`,
    grpcUrls,
    databaseUrls,
    processes,
    addGatewayReplica: async () => {
      const http = await freeLoopbackPort();
      const child = spawn(process.execPath, [...serviceNodeArgs(), join(options.distDir, 'services', 'gateway', 'src', 'main.js')], {
        env: { ...envFor('gateway'), HTTP_PORT: String(http), PORT: String(http) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const forward = (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line) options.onOutput?.('gateway', line);
      };
      child.stdout?.on('data', forward);
      child.stderr?.on('data', forward);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      const replica: ServiceProcess = { name: 'gateway', httpPort: http, grpcPort: 0, child, exited };
      await waitHttp(`http://127.0.0.1:${http}/readyz`, (status) => status === 200, 90_000, 'gateway replica');
      return {
        url: `http://127.0.0.1:${http}`,
        process: replica,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    },
    restart: async (service) => {
      await stopService(service);
      await spawnService(service);
    },
    stop: async () => {
      await stopService('gateway');
      await Promise.all(BACKEND_SERVICES.map(stopService));
    },
  };
}

/** Extra node flags for every service process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a benchmark run. */
function serviceNodeArgs(): string[] {
  return (process.env.ATRIUM_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}
