import { directoryV1, protoPathFor } from '@atrium/contracts';
import { GrpcServiceClient, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { ssrfPayloads, uniqueSuffix } from '@atrium/testing';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { createCorp } from '../src/corp-admin';
import { eventually } from '@atrium/testing';
import { finishedSpans, startTestPlatform, TestPlatform } from './support/test-platform';

describe('gateway authentication against the real platform', () => {
  let platform: TestPlatform;
  const corpA = `acme-${uniqueSuffix()}`;
  const corpB = `bolt-${uniqueSuffix()}`;
  const password = 'correct horse battery';

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${platform.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string, token?: string) =>
    fetch(`${platform.gatewayUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (corp: string, account = 'admin', pass = password) => {
    const res = await post('/api/v1/auth/login', { corp, account, password: pass });
    return { res, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpA,
      name: 'Acme Group',
      adminUserid: 'admin',
      adminPassword: password,
    });
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpB,
      name: 'Bolt Ltd',
      adminUserid: 'admin',
      adminPassword: password,
    });
  }, 120_000);

  afterAll(async () => {
    await platform?.teardown();
  });

  it('reports all six services up on /healthz', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      services: { gateway: 'up', directory: 'up', messaging: 'up', approval: 'up', report: 'up', audit: 'up' },
    });
  });

  it('is ready only with its database, Kafka and Redis answering, and every corp known', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      checks: { database: true, broker: true, pubsub: true, accepting: true, corps: true },
    });
  });

  it('logs the super admin in and serves their profile from the directory', async () => {
    const { res, body } = await login(corpA);
    expect(res.status).toBe(200);
    expect(body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 });
    const me = await get('/api/v1/me', body.accessToken as string);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ userid: 'admin', status: 'active', roles: [SUPER_ADMIN_ROLE] });
  });

  it('refuses a wrong password with the error envelope', async () => {
    const { res, body } = await login(corpA, 'admin', 'wrong password');
    expect(res.status).toBe(401);
    expect(body).toEqual({
      code: 'INVALID_CREDENTIALS',
      message: 'wrong corp, account or password',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('answers an unknown corp exactly like a wrong password', async () => {
    const { res, body } = await login(`nope-${uniqueSuffix()}`);
    expect(res.status).toBe(401);
    expect(body.code).toBe('INVALID_CREDENTIALS');
  });

  it('names unknown and mistyped fields in a 400', async () => {
    const unknown = await post('/api/v1/auth/login', { corp: corpA, account: 'admin', password, remember: true });
    expect(unknown.status).toBe(400);
    const unknownBody = (await unknown.json()) as { code: string; message: string; details: { fields: { field: string }[] } };
    expect(unknownBody.code).toBe('VALIDATION_FAILED');
    expect(unknownBody.details.fields.map((f) => f.field)).toEqual(['remember']);

    const mistyped = await post('/api/v1/auth/login', { corp: corpA, account: 'admin', password: 12345 });
    const mistypedBody = (await mistyped.json()) as { code: string; message: string };
    expect(mistyped.status).toBe(400);
    expect(mistypedBody.message).toMatch(/^password: /);

    const missing = await post('/api/v1/auth/login', { corp: corpA });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toMatch(/account: .*; password: /);
  });

  it('refuses malformed JSON and unknown routes with the envelope, never a 500', async () => {
    const malformed = await post('/api/v1/auth/login', '{"corp": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^malformed request: .*JSON/),
    });
    const nowhere = await get('/api/v1/nowhere');
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rotates refresh tokens and revokes the whole family when a rotated one is replayed', async () => {
    const first = (await login(corpA)).body;
    const rotated = await post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as Record<string, string>;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await get('/api/v1/me', second.accessToken)).status).toBe(200);

    const replay = await post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
    // The legitimate-looking latest token of the family dies with it, and so do its access tokens.
    const afterTheft = await post('/api/v1/auth/refresh', { refreshToken: second.refreshToken });
    expect(afterTheft.status).toBe(401);
    expect((await get('/api/v1/me', second.accessToken)).status).toBe(401);
  });

  it('logout revokes the access token and the refresh token', async () => {
    const tokens = (await login(corpA)).body as Record<string, string>;
    const out = await post('/api/v1/auth/logout', {}, { authorization: `Bearer ${tokens.accessToken}` });
    expect(out.status).toBe(204);
    const me = await get('/api/v1/me', tokens.accessToken);
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'session has been revoked' });
    expect((await post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(401);
  });

  it('refuses access tokens with a foreign algorithm, audience or signature, or without exp', async () => {
    const none = jwt.sign({ corp: 'x', roles: [], sid: 'x' }, '', {
      algorithm: 'none',
      subject: 'admin',
      issuer: 'atrium',
      audience: 'atrium-api',
    });
    const wrongAudience = jwt.sign({ corp: 'x', roles: [], sid: 'x' }, platform.jwtSecret, {
      subject: 'admin',
      issuer: 'atrium',
      audience: 'elsewhere',
      expiresIn: 60,
    });
    const wrongKey = jwt.sign({ corp: 'x', roles: [], sid: 'x' }, 'k'.repeat(40), {
      subject: 'admin',
      issuer: 'atrium',
      audience: 'atrium-api',
      expiresIn: 60,
    });
    const expired = jwt.sign({ corp: 'x', roles: [], sid: 'x', exp: Math.floor(Date.now() / 1000) - 10 }, platform.jwtSecret, {
      subject: 'admin',
      issuer: 'atrium',
      audience: 'atrium-api',
    });
    // The real key, but no `exp`: it would never expire.
    const noExpiry = jwt.sign({ corp: 'x', roles: [], sid: 'x' }, platform.jwtSecret, {
      subject: 'admin',
      issuer: 'atrium',
      audience: 'atrium-api',
    });
    for (const token of [none, wrongAudience, wrongKey, noExpiry]) {
      const res = await get('/api/v1/me', token);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expect(await (await get('/api/v1/me', expired)).json()).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(await (await get('/api/v1/me')).json()).toMatchObject({ code: 'UNAUTHENTICATED', message: 'missing bearer access token' });
  });

  it('rate-limits failed logins per account with 429 and Retry-After, even for the right password', async () => {
    const corp = `rl-${uniqueSuffix()}`;
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corp,
      name: 'Rate Limited',
      adminUserid: 'admin',
      adminPassword: password,
    });
    for (let i = 0; i < 5; i++) expect((await login(corp, 'admin', `wrong-${i}`)).res.status).toBe(401);
    const { res, body } = await login(corp);
    expect(res.status).toBe(429);
    expect(body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Another account of another corp from the same address is not blocked by this one.
    expect((await login(corpB)).res.status).toBe(200);
  });

  describe('signed gRPC identity', () => {
    const directory = (identityKey: string) =>
      new GrpcServiceClient<directoryV1.DirectoryServiceClient>(
        {
          caller: 'test',
          url: platform.grpcUrls.directory,
          packageName: 'atrium.directory.v1',
          protoPath: protoPathFor('directory'),
          identityKey,
        },
        directoryV1.DIRECTORY_SERVICE_NAME,
      );

    it('refuses an identity signed with another key as UNAUTHENTICATED', async () => {
      const forger = directory('f'.repeat(64));
      try {
        await expect(
          forger.call('GetMember', (d, md) => d.getMember({ userid: 'admin' }, md), {
            corpId: 'any',
            userId: 'admin',
            roles: [SUPER_ADMIN_ROLE],
          }),
        ).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'caller identity signature is invalid' });
      } finally {
        await forger.close();
      }
    });

    it('refuses a call without identity, and a tampered one', async () => {
      const { Metadata } = await import('@grpc/grpc-js');
      const client = directory(platform.identityKey);
      try {
        await expect(
          client.call('GetMember', (d) => d.getMember({ userid: 'admin' }, new Metadata()), { corpId: 'x', userId: 'y', roles: [] }),
        ).rejects.toMatchObject({
          code: 'UNAUTHENTICATED',
          message: 'caller identity is missing',
        });
        await expect(
          client.call(
            'GetMember',
            (d, md) => {
              // Escalate the signed payload's roles without re-signing it.
              const payload = JSON.parse(Buffer.from(String(md.get('x-atrium-identity')[0]), 'base64url').toString()) as { r: string[] };
              payload.r = ['platform_admin'];
              md.set('x-atrium-identity', Buffer.from(JSON.stringify(payload)).toString('base64url'));
              return d.getMember({ userid: 'admin' }, md);
            },
            { corpId: 'x', userId: 'y', roles: [] },
          ),
        ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      } finally {
        await client.close();
      }
    });

    it('keeps corps apart: a member of one corp is invisible from another', async () => {
      const corpC = `cove-${uniqueSuffix()}`;
      await createCorp(platform.grpcUrls.directory, platform.identityKey, {
        code: corpC,
        name: 'Cove',
        adminUserid: 'carol',
        adminPassword: password,
      });
      const claimsB = jwt.decode(((await login(corpB)).body as Record<string, string>).accessToken) as { corp: string };
      const claimsC = jwt.decode(((await login(corpC, 'carol')).body as Record<string, string>).accessToken) as { corp: string };
      const client = directory(platform.identityKey);
      try {
        const own = await client.call('GetMember', (d, md) => d.getMember({ userid: 'carol' }, md), {
          corpId: claimsC.corp,
          userId: 'carol',
          roles: [],
        });
        expect(own.member).toMatchObject({ corpId: claimsC.corp, userid: 'carol' });
        await expect(
          client.call('GetMember', (d, md) => d.getMember({ userid: 'carol' }, md), {
            corpId: claimsB.corp,
            userId: 'admin',
            roles: [SUPER_ADMIN_ROLE],
          }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
        // Only a platform operator creates corps; a corp's own super admin cannot.
        await expect(
          client.call(
            'CreateCorp',
            (d, md) =>
              d.createCorp({ code: `x-${uniqueSuffix()}`, name: 'X', adminUserid: 'a', adminName: 'a', adminPassword: 'p'.repeat(10) }, md),
            {
              corpId: claimsB.corp,
              userId: 'admin',
              roles: [SUPER_ADMIN_ROLE],
            },
          ),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      } finally {
        await client.close();
      }
    });
  });

  it('refuses every private, loopback and metadata callback URL through the admin API; a canary on this host sees nothing', async () => {
    const canary = createServer((_, res) => res.end('canary'));
    let hits = 0;
    canary.on('connection', () => (hits += 1));
    // `::` without ipv6Only takes IPv4 connections too: one canary for 127.0.0.1, ::1 and 0.0.0.0.
    await new Promise<void>((resolve) => canary.listen(0, '::', resolve));
    try {
      const admin = (await login(corpA)).body.accessToken as string;
      const put = (path: string, body: unknown) =>
        fetch(`${platform.gatewayUrl}${path}`, {
          method: path.endsWith('/callback') ? 'PUT' : 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
          body: JSON.stringify(body),
        });
      const { agentid } = (await (await put('/api/v1/admin/apps', { name: 'SSRF probe' })).json()) as { agentid: number };
      const urls = ssrfPayloads((canary.address() as AddressInfo).port);
      const letThrough: string[] = [];
      for (const url of urls) {
        const res = await put(`/api/v1/admin/apps/${agentid}/callback`, {
          url,
          token: 'ssrfProbe1',
          encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        });
        const body = (await res.json()) as { details?: { reason?: string } };
        if (res.status !== 400 || body.details?.reason !== 'CALLBACK_URL_NOT_ALLOWED')
          letThrough.push(`${url}: ${res.status} ${JSON.stringify(body)}`);
      }
      expect(urls.length).toBeGreaterThanOrEqual(50);
      expect(letThrough).toEqual([]);
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => canary.close(resolve));
    }
  });

  it('serves the OpenAPI document and explorer', async () => {
    const doc = (await (await get('/docs-json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/me']),
    );
    const ui = await get('/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('exports Prometheus metrics', async () => {
    const text = await (await get('/metrics')).text();
    expect(text).toContain('atrium_http_request_duration_seconds_bucket');
    expect(text).toContain('atrium_outbox_pending_events');
  });

  it('carries one trace from the HTTP request through gRPC and Kafka to the audit consumer', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const res = await post(
      '/api/v1/auth/login',
      { corp: corpA, account: 'admin', password },
      { traceparent: `00-${traceId}-1122334455667788-01` },
    );
    expect(res.status).toBe(200);
    const inTrace = () => finishedSpans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const consumed = await eventually(
      inTrace,
      (spans) =>
        spans.some((s) => s.name === 'consume directory.events' && s.attributes['atrium.event.type'] === 'directory.member.authenticated'),
      30_000,
      'the audit consumer span in the login trace',
    );
    const names = consumed.map((s) => `${String(s.attributes['atrium.service'])}: ${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'gateway: grpc.client AuthenticateMember',
        'directory: grpc MembersGrpcController.authenticateMember',
        'audit: consume directory.events',
      ]),
    );
    expect(consumed.find((s) => s.name.startsWith('HTTP POST'))?.attributes['http.response.status_code']).toBe(200);
    const receipts = await platform.services.audit.infra.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_records WHERE event_type = 'directory.member.authenticated'`,
    );
    expect(receipts[0].n).toBeGreaterThan(0);
  });
});
