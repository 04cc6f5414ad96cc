import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@atrium/testing';
import { freeLoopbackPort } from '../src/launch-platform';

const dist = join(__dirname, '..', '..', '..', 'dist');

interface Embedded {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

async function startEmbedded(dataDir: string, env: Record<string, string> = {}): Promise<Embedded> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [join(dist, 'apps', 'atrium', 'src', 'main.js')], {
    env: { PATH: process.env.PATH, ATRIUM_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(
    () => out,
    (text) => text.includes('Atrium is running') || child.exitCode !== null,
    // Six PGlite (WebAssembly) databases start at once: slow on two busy cores.
    150_000,
    'embedded start',
  );
  if (child.exitCode !== null) throw new Error(`embedded mode exited: ${out}`);
  return { child, url: `http://127.0.0.1:${port}`, stdout: () => out, exited };
}

const login = (url: string, password: string) =>
  fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ corp: 'demo', account: 'admin', password }),
  });

/** `npm start` on a bare machine: one process, PGlite, in-process bus, data kept across restarts. */
describe('embedded mode', () => {
  let dataDir: string;
  let running: Embedded | undefined;

  beforeAll(() => {
    if (!existsSync(join(dist, 'apps', 'atrium', 'src', 'main.js')))
      throw new Error("dist/ is missing: run 'npm run build' (npm test does)");
    dataDir = mkdtempSync(join(tmpdir(), 'atrium-embedded-'));
  });

  afterAll(async () => {
    if (running?.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds the demo corp with a generated password printed once, and serves all six services', async () => {
    running = await startEmbedded(dataDir);
    const password = /password "([^"]+)" \(generated now/.exec(running.stdout())?.[1];
    expect(password).toBeDefined();
    const health = await (await fetch(`${running.url}/healthz`)).json();
    expect(health).toEqual({
      status: 'ok',
      services: { gateway: 'up', directory: 'up', messaging: 'up', approval: 'up', report: 'up', audit: 'up' },
    });
    const res = await login(running.url, password!);
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const me = await fetch(`${running.url}/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await me.json()).toMatchObject({ userid: 'admin', roles: ['super_admin'] });
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    // The web client, built next to main.js, is the page at / (npm start builds it).
    const page = await fetch(`${running.url}/`);
    expect([page.status, page.headers.get('x-frame-options'), await page.text()]).toEqual([
      200,
      'DENY',
      expect.stringContaining('<div id="root">'),
    ]);
    // PGlite runs with pg_trgm here: member search forgives a typo, as on a real PostgreSQL.
    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const member = { userid: 'zhangsan', name: '张三', email: 'zhangsan@demo.test', departments: [{ departmentId: 1 }] };
    expect(
      (await fetch(`${running.url}/api/v1/directory/members`, { method: 'POST', headers: auth, body: JSON.stringify(member) })).status,
    ).toBe(201);
    const found = await fetch(`${running.url}/api/v1/directory/members:search?q=zhangsna`, { headers: auth });
    expect(await found.json()).toEqual({
      hits: [expect.objectContaining({ member: expect.objectContaining({ userid: 'zhangsan' }), match: 'fuzzy' })],
    });

    // A session logged out before the restart stays logged out after it: the in-process store of
    // revocations is gone, the database's record is not.
    const ended = (await (await login(running.url, password!)).json()) as { accessToken: string };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await fetch(`${running.url}/api/v1/auth/logout`, { method: 'POST', headers: bearer(ended.accessToken) })).status).toBe(204);
    expect((await fetch(`${running.url}/api/v1/me`, { headers: bearer(ended.accessToken) })).status).toBe(401);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    // Restart on the same data: the corp, the password and the tokens' signing key survive.
    running = await startEmbedded(dataDir);
    expect(running.stdout()).not.toContain('generated now');
    expect(running.stdout()).toContain('password as set on first start');
    expect((await login(running.url, password!)).status).toBe(200);
    const again = await fetch(`${running.url}/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(again.status).toBe(200);
    const loggedOut = await fetch(`${running.url}/api/v1/me`, { headers: bearer(ended.accessToken) });
    expect({ status: loggedOut.status, body: await loggedOut.json() }).toEqual({
      status: 401,
      body: expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'session has been revoked' }),
    });
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 300_000);

  it('uses ATRIUM_ADMIN_PASSWORD on first start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-embedded-'));
    try {
      running = await startEmbedded(dir, { ATRIUM_ADMIN_PASSWORD: 'chosen-by-operator' });
      expect(running.stdout()).toContain('password from ATRIUM_ADMIN_PASSWORD');
      expect((await login(running.url, 'chosen-by-operator')).status).toBe(200);
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
