import { ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { eventually, freePort, testInfra, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { createCorp } from '../src/corp-admin';
import { startTestPlatform, TestPlatform } from './support/test-platform';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A private redis-server without persistence: a kill -9 and a restart lose everything it held. */
class PrivateRedis {
  private child?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(
      () => out,
      (text) => text.includes('Ready to accept connections') || child.exitCode !== null,
      15_000,
      'redis-server start',
    );
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
  }

  /** kill -9: no shutdown, no save. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Revocations (logout, a replayed refresh token, a disabled, offboarded or deleted member) are
 * recorded in the gateway's PostgreSQL: they outlive the loss of Redis, and when neither store can
 * answer the gateway refuses with 503 rather than accept a token it cannot check.
 */
describe('token revocations outlive Redis', () => {
  const corp = `durable-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  let redis: PrivateRedis;
  let platform: TestPlatform;
  let admin: string;

  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const login = async (account: string) => {
    const reply = await call('POST', '/api/v1/auth/login', undefined, { corp, account, password });
    expect(reply.status).toBe(200);
    return reply.body as { accessToken: string; refreshToken: string };
  };
  const me = (token: string) => call('GET', '/api/v1/me', token);
  const createMember = async (userid: string) => {
    const created = await call('POST', '/api/v1/directory/members', admin, {
      userid,
      name: userid,
      email: `${userid}@durable.test`,
      departments: [{ departmentId: 1 }],
      password,
    });
    expect(created.status).toBe(201);
    return login(userid);
  };
  /** The status a WebSocket upgrade to /ws gets with this token. */
  const upgradeStatus = (token: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${platform.gatewayUrl}/ws`, {
        headers: {
          authorization: `Bearer ${token}`,
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
          'sec-websocket-version': '13',
        },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  const refusedWith = (message: string) => ({ status: 401, body: expect.objectContaining({ code: 'UNAUTHENTICATED', message }) });

  /** The gateway's database stops taking connections and drops the ones it has (the shared server keeps running). */
  const withGatewayDatabaseDown = async (work: () => Promise<void>) => {
    const adminClient = new Client({ connectionString: testInfra.pgUrl() });
    await adminClient.connect();
    const name = platform.databases.gateway.name;
    try {
      await adminClient.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
      await adminClient.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
        name,
      ]);
      await work();
    } finally {
      await adminClient.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
      await adminClient.end();
    }
  };

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    platform = await startTestPlatform({ realtime: { kind: 'redis', url: redis.url } });
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corp,
      name: 'Durable',
      adminUserid: 'admin',
      adminPassword: password,
    });
    admin = (await login('admin')).accessToken;
  }, 180_000);

  afterAll(async () => {
    await platform?.teardown();
    await redis?.kill();
  });

  it('still refuses logged-out, stolen, disabled, offboarded and deleted tokens after Redis loses its data', async () => {
    const loggedOut = await login('admin');
    expect((await call('POST', '/api/v1/auth/logout', loggedOut.accessToken)).status).toBe(204);

    const stolen = await login('admin');
    const rotated = await call('POST', '/api/v1/auth/refresh', undefined, { refreshToken: stolen.refreshToken });
    expect(rotated.status).toBe(200);
    const replay = await call('POST', '/api/v1/auth/refresh', undefined, { refreshToken: stolen.refreshToken });
    expect(replay.body).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
    const stolenFamily = (rotated.body as { accessToken: string }).accessToken;

    const disabled = await createMember('dis.abled');
    expect((await call('POST', '/api/v1/directory/members/dis.abled/disable', admin)).body).toMatchObject({ status: 'disabled' });
    const offboarded = await createMember('off.boarded');
    expect((await call('POST', '/api/v1/directory/members/off.boarded/offboard', admin, { successorUserid: 'admin' })).status).toBe(200);
    const deleted = await createMember('de.leted');
    expect((await call('DELETE', '/api/v1/directory/members/de.leted', admin)).status).toBe(204);
    const live = await createMember('still.here');

    const expectations: [string, string, ReturnType<typeof refusedWith>][] = [
      ['logged out', loggedOut.accessToken, refusedWith('session has been revoked')],
      ['refresh token replayed', stolenFamily, refusedWith('session has been revoked')],
      ['disabled', disabled.accessToken, refusedWith('account is no longer active')],
      ['offboarded', offboarded.accessToken, refusedWith('account is no longer active')],
      ['deleted', deleted.accessToken, refusedWith('account is no longer active')],
    ];
    const answers = async () => Promise.all(expectations.map(async ([label, token]) => [label, await me(token)] as const));
    // The member cut-offs arrive as directory events: wait until each is in force.
    await eventually(answers, (replies) => replies.every(([, reply]) => reply.status === 401), 15_000, 'every revocation in force');
    expect(await answers()).toEqual(expectations.map(([label, , refused]) => [label, refused]));

    await redis.kill();
    await redis.start();

    expect(await answers()).toEqual(expectations.map(([label, , refused]) => [label, refused]));
    expect((await me(live.accessToken)).status).toBe(200);
    expect(await upgradeStatus(loggedOut.accessToken)).toBe(401);
    expect(await upgradeStatus(disabled.accessToken)).toBe(401);
    expect(await upgradeStatus(live.accessToken)).toBe(101);
    // And the new Redis is filled again from the database: a second round answers the same.
    expect(await answers()).toEqual(expectations.map(([label, , refused]) => [label, refused]));
    expect((await me(live.accessToken)).body).toMatchObject({ userid: 'still.here', status: 'active' });
  }, 120_000);

  it('answers 503 UNAVAILABLE when neither Redis nor PostgreSQL can tell whether a token is revoked', async () => {
    const fresh = await login('admin');
    await redis.kill();
    try {
      await withGatewayDatabaseDown(async () => {
        const reply = await me(fresh.accessToken);
        expect(reply).toEqual({ status: 503, body: expect.objectContaining({ code: 'UNAVAILABLE' }) });
        expect(await upgradeStatus(fresh.accessToken)).toBe(503);
      });
    } finally {
      await redis.start();
    }
    await eventually(
      () => me(fresh.accessToken),
      (reply) => reply.status === 200,
      15_000,
      'the token accepted again',
    );
  }, 120_000);
});
