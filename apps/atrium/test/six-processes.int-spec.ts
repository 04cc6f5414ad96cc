import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, testInfra, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { ProcessPlatform, startServiceProcesses } from '../src/service-processes';

const root = join(__dirname, '..', '..', '..');
const dist = join(root, 'dist');
const run = promisify(execFile);

/**
 * The platform as it runs in a cluster: six OS processes from the built output, against the real
 * PostgreSQL, Kafka and Redis. Covers the CLI, graceful SIGTERM, and a consumer that is stopped
 * and restarted losing nothing and duplicating nothing.
 */
describe('six service processes on real servers', () => {
  let platform: ProcessPlatform;
  const identityKey = randomBytes(32).toString('hex');
  const prefix = `p${uniqueSuffix()}`;
  const corp = `six-${uniqueSuffix()}`;
  const password = 'six processes pass';
  const output: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(dist, 'services', 'gateway', 'src', 'main.js')))
      throw new Error("dist/ is missing: run 'npm run build' (npm test does)");
    platform = await startServiceProcesses({
      pgAdminUrl: testInfra.pgUrl(),
      databasePrefix: prefix,
      kafkaBrokers: testInfra.kafkaBrokers(),
      topicPrefix: `${prefix}.`,
      redisUrl: testInfra.redisUrl(),
      identityKey,
      jwtSecret: randomBytes(32).toString('hex'),
      gatewayPort: 0,
      logLevel: 'info',
      distDir: dist,
      backgroundNice: 5,
      onOutput: (service, line) => output.push(`[${service}] ${line}`),
    });
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    const admin = new Client({ connectionString: testInfra.pgUrl() });
    await admin.connect();
    for (const service of ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit']) {
      await admin.query(`DROP DATABASE IF EXISTS "${prefix}_${service}" WITH (FORCE)`);
    }
    await admin.end();
  });

  const login = () =>
    fetch(`${platform.gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corp, account: 'boss', password }),
    });

  const loginReceipts = async (): Promise<{ total: number; distinct: number }> => {
    const client = new Client({ connectionString: platform.databaseUrls.audit });
    await client.connect();
    try {
      const { rows } = await client.query<{ total: number; distinct: number }>(
        `SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct FROM audit_records WHERE event_type = 'directory.member.authenticated'`,
      );
      return rows[0];
    } finally {
      await client.end();
    }
  };

  it('reports six services up', async () => {
    // Each process answered /readyz before this; the gateway's health probe of each (a gRPC call
    // with a short deadline) may still miss a service that is busy finishing its start-up.
    const health = await eventually(
      async () => ((await (await fetch(`${platform.gatewayUrl}/healthz`)).json()) as { services: Record<string, string> }).services,
      (services) => Object.values(services).every((state) => state === 'up'),
      30_000,
      'six services up',
    );
    expect(health).toEqual({ gateway: 'up', directory: 'up', messaging: 'up', approval: 'up', report: 'up', audit: 'up' });
  });

  it('runs the archive, approval and report at a lower CPU priority than the live path', () => {
    const niceness = Object.fromEntries(Object.values(platform.processes).map((p) => [p.name, getPriority(p.child.pid)]));
    expect(niceness).toEqual({ gateway: 0, directory: 0, messaging: 0, approval: 5, report: 5, audit: 5 });
  });

  it('creates a corp with the CLI, whose admin can then log in', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        join(dist, 'apps', 'atrium', 'src', 'cli.js'),
        'corp',
        'create',
        '--code',
        corp,
        '--name',
        'Six Co',
        '--admin',
        'boss',
        '--password',
        password,
      ],
      {
        env: { ...process.env, DIRECTORY_GRPC_URL: platform.grpcUrls.directory, ATRIUM_IDENTITY_KEY: identityKey },
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ corp: { code: corp, name: 'Six Co' }, admin: 'boss' });
    expect((await login()).status).toBe(200);
    const again = run(
      process.execPath,
      [
        join(dist, 'apps', 'atrium', 'src', 'cli.js'),
        'corp',
        'create',
        '--code',
        corp,
        '--name',
        'Dup',
        '--admin',
        'x',
        '--password',
        password,
      ],
      {
        env: { ...process.env, DIRECTORY_GRPC_URL: platform.grpcUrls.directory, ATRIUM_IDENTITY_KEY: identityKey },
      },
    );
    await expect(again).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('ALREADY_EXISTS') });
  });

  it('stops a service gracefully on SIGTERM and loses no event while it is down', async () => {
    await eventually(loginReceipts, (r) => r.total >= 1, 30_000, 'the first login archived');
    const before = await loginReceipts();
    const audit = platform.processes.audit;
    audit.child.kill('SIGTERM');
    const exit = await audit.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(output.some((line) => line.startsWith('[audit]') && line.includes('audit stopped'))).toBe(true);

    for (let i = 0; i < 3; i++) expect((await login()).status).toBe(200);
    await platform.restart('audit');
    const after = await eventually(loginReceipts, (r) => r.total >= before.total + 3, 60_000, 'logins made while audit was down');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await loginReceipts()).toEqual({ total: before.total + 3, distinct: before.total + 3 });
    expect(after.total).toBe(before.total + 3);
  });

  it('refuses to start a service with a bad environment, naming the variable', async () => {
    const failed = run(process.execPath, [join(dist, 'services', 'directory', 'src', 'main.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: 'not a url', ATRIUM_EVENT_BUS: 'inprocess', ATRIUM_PUBSUB: 'inprocess' },
    });
    await expect(failed).rejects.toMatchObject({
      code: 78,
      stderr: expect.stringMatching(/DATABASE_URL="not a url" is invalid: expected a URL[\s\S]*ATRIUM_IDENTITY_KEY is missing/),
    });
  });

  it('exits 0 for every service on SIGTERM', async () => {
    const exits = Object.values(platform.processes).map((p) => p.exited);
    await platform.stop();
    expect(await Promise.all(exits)).toEqual(Array.from({ length: 6 }, () => ({ code: 0, signal: null })));
  });
});
