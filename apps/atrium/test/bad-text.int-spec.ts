import { uniqueSuffix } from '@atrium/testing';
import WebSocket from 'ws';
import { createCorp } from '../src/corp-admin';
import { ApiReply as Reply, HttpApi } from './support/http-api';
import { startTestPlatform, TestPlatform } from './support/test-platform';

// Response bodies are free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';
/** What leaked before: grpc-js refusing non-ASCII metadata, and driver or stack errors. */
const INTERNAL_LEAKS = /metadata|illegal characters|call stack|violates|foreign key|invalid byte sequence|unsupported unicode/i;

/** A JSON value nested `depth` arrays deep, as text (JSON.stringify itself would overflow on it). */
const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/**
 * Ordinary bad text at the public edges, end to end on the whole platform: NUL characters, lone
 * UTF-16 surrogates, absurd nesting and non-ASCII identifiers are refused with 400
 * VALIDATION_FAILED naming the field (or found missing with 404), never answered with a 500, never
 * stored mangled, and the WeCom-compatible API answers each with an errcode.
 */
describe('bad text at the gateway edges', () => {
  let platform: TestPlatform;
  const corp = `txt-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  let admin = '';
  let conversationId = '';
  let syncToken = '';

  const http = new HttpApi(() => platform.gatewayUrl);
  const call = (method: string, path: string, options: { token?: string; body?: unknown; raw?: string; contentType?: string } = {}) =>
    http.call(method, path, {
      token: options.token,
      contentType: options.contentType,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
  const api = (method: string, path: string, body?: unknown) => call(method, `/api/v1${path}`, { token: admin, body });

  /** The refusal every case here expects: 400, the stable code, the field named, nothing internal. */
  const expectRefused = (reply: Reply, field: string) => {
    expect({ status: reply.status, code: reply.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(reply.body.message).toContain(field);
    expect(reply.text).not.toMatch(INTERNAL_LEAKS);
  };
  const expectNotFound = (reply: Reply) => {
    expect({ status: reply.status, code: reply.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(reply.text).not.toMatch(INTERNAL_LEAKS);
  };

  /** A /cgi-bin/ call: WeCom's API answers HTTP 200 with an errcode, whatever went wrong. */
  const cgi = async (path: string, query: Record<string, string>, body?: string): Promise<Json> => {
    const reply = await call(body === undefined ? 'GET' : 'POST', `/cgi-bin/${path}?${new URLSearchParams(query).toString()}`, {
      raw: body,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ errcode: expect.any(Number), errmsg: expect.any(String) });
    expect(reply.text).not.toMatch(INTERNAL_LEAKS);
    return reply.body;
  };
  /** A refusal of the WeCom API: a parameter error, never success and never "system busy". */
  const expectCgiRefused = (reply: Json, errcode: number) => {
    expect(reply.errcode).toBe(errcode);
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corp,
      name: 'Text Corp',
      adminUserid: 'admin',
      adminPassword: password,
    });
    const login = await call('POST', '/api/v1/auth/login', { body: { corp, account: 'admin', password } });
    admin = login.body.accessToken as string;
    expect(
      (
        await api('POST', '/directory/members', {
          userid: 'lisi',
          name: '李四',
          email: 'lisi@text.test',
          departments: [{ departmentId: 1 }],
          password,
        })
      ).status,
    ).toBe(201);
    const conversation = await api('POST', '/conversations', { kind: 'group', name: 'Text', members: ['lisi'] });
    expect(conversation.status).toBe(201);
    conversationId = conversation.body.conversation.id as string;
    const secret = await api('POST', '/admin/sync-secret');
    expect(secret.status).toBe(200);
    const token = await call('GET', `/cgi-bin/gettoken?corpid=${corp}&corpsecret=${encodeURIComponent(secret.body.secret as string)}`);
    expect(token.body.errcode).toBe(0);
    syncToken = token.body.access_token as string;
  }, 180_000);

  afterAll(async () => {
    await platform?.teardown();
  });

  describe('NUL characters and lone surrogates', () => {
    it('refuses a department name with a NUL or a lone surrogate, and stores nothing mangled', async () => {
      expectRefused(await api('POST', '/directory/departments', { parentId: 1, name: NUL }), 'name');
      expectRefused(await api('POST', '/directory/departments', { parentId: 1, name: LONE_SURROGATE }), 'name');
      expectRefused(await api('POST', '/directory/departments', { parentId: 1, name: 'ok', nameEn: LONE_SURROGATE }), 'nameEn');
      const list = await api('GET', '/directory/departments');
      expect(list.status).toBe(200);
      const names = (list.body.departments as Json[]).map((d) => d.name as string);
      expect(names.filter((n) => n !== 'Text Corp' && n.startsWith('a'))).toEqual([]);
      expect(names.some((n) => n.includes('\ufffd'))).toBe(false);
    });

    it('refuses a tag name with a NUL or a lone surrogate', async () => {
      expectRefused(await api('POST', '/directory/tags', { name: NUL }), 'name');
      expectRefused(await api('POST', '/directory/tags', { name: LONE_SURROGATE }), 'name');
    });

    it('refuses message text with a NUL or a lone surrogate over REST, naming content.text', async () => {
      for (const [i, text] of [NUL, LONE_SURROGATE].entries()) {
        const reply = await api('POST', `/conversations/${conversationId}/messages`, {
          clientMsgId: `bad-${i}`,
          type: 'text',
          content: { text },
        });
        expectRefused(reply, 'content.text');
      }
      const synced = await api('GET', `/conversations/${conversationId}/messages`);
      expect(synced.status).toBe(200);
      expect(JSON.stringify(synced.body)).not.toContain('\\u0000');
      expect(JSON.stringify(synced.body)).not.toContain('\ufffd');
    });

    it('answers a WebSocket send with a NUL, a lone surrogate or 5,000-deep content with VALIDATION_FAILED naming the field', async () => {
      const ws = new WebSocket(`${platform.gatewayUrl.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${admin}` } });
      const frames: Json[] = [];
      ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Json));
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        const poll = setInterval(() => {
          if (frames.some((f) => f.type === 'hello')) {
            clearInterval(poll);
            resolve();
          }
        }, 10);
      });
      try {
        for (const [i, text] of [NUL, LONE_SURROGATE].entries()) {
          ws.send(JSON.stringify({ type: 'send', conversationId, clientMsgId: `ws-bad-${i}`, msgType: 'text', content: { text } }));
        }
        ws.send(
          `{"type":"send","conversationId":"${conversationId}","clientMsgId":"ws-bad-2","msgType":"text",` +
            `"content":{"text":"x","extra":${nestedArrays(5_000)}}}`,
        );
        const deadline = Date.now() + 30_000;
        while (frames.filter((f) => String(f.clientMsgId).startsWith('ws-bad-')).length < 3 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const replies = frames.filter((f) => String(f.clientMsgId).startsWith('ws-bad-'));
        expect(replies.map((f) => ({ type: f.type, code: f.code, clientMsgId: f.clientMsgId }))).toEqual([
          { type: 'error', code: 'VALIDATION_FAILED', clientMsgId: 'ws-bad-0' },
          { type: 'error', code: 'VALIDATION_FAILED', clientMsgId: 'ws-bad-1' },
          { type: 'error', code: 'VALIDATION_FAILED', clientMsgId: 'ws-bad-2' },
        ]);
        expect(replies.map((f) => (f.message as string).split(':')[0])).toEqual(['content.text', 'content.text', 'content']);
      } finally {
        ws.close();
      }
    });

    it('refuses a NUL in a search query, a userid path segment and an external-contact owner', async () => {
      expectRefused(await api('GET', `/directory/members:search?q=${encodeURIComponent(NUL)}`), 'q');
      expectRefused(await api('GET', `/directory/members/${encodeURIComponent(NUL)}`), 'userid');
      expectRefused(await api('POST', `/directory/members/${encodeURIComponent(NUL)}/disable`), 'userid');
      expectRefused(await api('GET', `/directory/external-contacts?owner=${encodeURIComponent(NUL)}`), 'owner');
    });

    it('refuses an empty userid among tag targets, naming userids', async () => {
      const tag = await api('POST', '/directory/tags', { name: 'On call' });
      expect(tag.status).toBe(201);
      expectRefused(await api('PUT', `/directory/tags/${tag.body.id}/targets`, { userids: [''], departmentIds: [] }), 'userids');
      const tags = await api('GET', '/directory/tags');
      expect((tags.body.tags as Json[]).find((t) => t.id === tag.body.id)).toMatchObject({ userids: [], departmentIds: [] });
    });
  });

  describe('non-ASCII identifiers in paths', () => {
    it('answers 404 for a Chinese userid that does not exist, on every member route', async () => {
      const userid = encodeURIComponent('张三');
      expectNotFound(await api('GET', `/directory/members/${userid}`));
      expectNotFound(await api('DELETE', `/directory/members/${userid}`));
      expectNotFound(await api('POST', `/directory/members/${userid}/disable`));
      expectNotFound(await api('POST', `/directory/members/${userid}/enable`));
      expectNotFound(await api('GET', `/directory/members/${userid}/transfers`));
    });

    it('answers 404 for a Chinese attribute name or tag target that does not exist', async () => {
      expectNotFound(await api('DELETE', `/directory/attributes/${encodeURIComponent('不存在')}`));
      const tag = await api('POST', '/directory/tags', { name: 'Reviewers' });
      expectNotFound(await api('PUT', `/directory/tags/${tag.body.id}/targets`, { userids: ['张三'], departmentIds: [] }));
    });

    it('serves a Chinese attribute name that does exist', async () => {
      expect((await api('POST', '/directory/attributes', { name: '工号', type: 'text' })).status).toBe(201);
      const renamed = await api('PATCH', `/directory/attributes/${encodeURIComponent('工号')}`, { name: '员工号' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: '员工号' });
      expect((await api('DELETE', `/directory/attributes/${encodeURIComponent('员工号')}`)).status).toBe(200);
      expectNotFound(await api('DELETE', `/directory/attributes/${encodeURIComponent('员工号')}`));
    });
  });

  describe('absurd shapes', () => {
    it('refuses JSON nested 5,000 deep on a DTO endpoint, naming the field', async () => {
      const raw = `{"parentId":1,"name":"deep","nameEn":${nestedArrays(5_000)}}`;
      expectRefused(await call('POST', '/api/v1/directory/departments', { token: admin, raw }), 'nameEn');
      const message = `{"clientMsgId":"deep","type":"text","content":{"text":"x","extra":${nestedArrays(5_000)}}}`;
      expectRefused(await call('POST', `/api/v1/conversations/${conversationId}/messages`, { token: admin, raw: message }), 'content');
    });

    it('answers malformed JSON, wrong types and an oversized body with 4xx in the JSON error shape', async () => {
      const path = '/api/v1/directory/departments';
      const malformed = await call('POST', path, { token: admin, raw: '{"parentId": 1, "name": ' });
      expect({ status: malformed.status, code: malformed.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expectRefused(await call('POST', path, { token: admin, body: { parentId: '1x', name: ['R&D'] } }), 'name');
      const huge = await call('POST', path, { token: admin, body: { parentId: 1, name: 'x', nameEn: 'x'.repeat(2_000_000) } });
      expect({ status: huge.status, code: huge.body.code }).toEqual({ status: 413, code: 'VALIDATION_FAILED' });
      for (const reply of [malformed, huge]) expect(reply.text).not.toMatch(INTERNAL_LEAKS);
    });

    it('answers a 100 KB query string with the JSON error shape, and a larger head too', async () => {
      const reply = await api('GET', `/directory/members?q=${'x'.repeat(100_000)}`);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('VALIDATION_FAILED');
      const huge = await api('GET', `/directory/members?q=${'x'.repeat(400_000)}`);
      expect(huge.status).toBe(431);
      expect(huge.body).toMatchObject({ code: 'VALIDATION_FAILED', errcode: expect.any(Number) });
    });
  });

  describe('the WeCom-compatible API', () => {
    const token = () => ({ access_token: syncToken });

    it('answers malformed JSON and wrong types with errcodes', async () => {
      expectCgiRefused(await cgi('department/create', token(), '{"name": "x", "parentid": '), 47001);
      expectCgiRefused(await cgi('department/create', token(), JSON.stringify({ name: ['x'], parentid: 1 })), 60001);
      expectCgiRefused(await cgi('department/create', token(), JSON.stringify({ name: 'x', parentid: { id: 1 } })), 60124);
      expectCgiRefused(await cgi('department/create', token(), '"just a string"'), 47001);
    });

    it('answers a NUL or a lone surrogate anywhere with errcode 40058 naming the field', async () => {
      for (const name of [NUL, LONE_SURROGATE]) {
        const reply = await cgi('department/create', token(), JSON.stringify({ name, parentid: 1 }));
        expectCgiRefused(reply, 40058);
        expect(reply.errmsg).toContain('name');
      }
      const query = await cgi('user/get', { ...token(), userid: NUL });
      expectCgiRefused(query, 40058);
      expect(query.errmsg).toContain('userid');
      const list = await cgi('department/list', token());
      expect(list.errcode).toBe(0);
      expect(JSON.stringify(list)).not.toContain('\ufffd');
    });

    it('answers JSON nested 5,000 deep and a body over the limit with errcodes', async () => {
      expectCgiRefused(await cgi('department/create', token(), `{"name":"x","parentid":1,"extra":${nestedArrays(5_000)}}`), 40058);
      expectCgiRefused(
        await cgi('department/create', token(), JSON.stringify({ name: 'x', parentid: 1, pad: 'x'.repeat(2_000_000) })),
        47001,
      );
    });

    it('answers a 100 KB query string with an errcode', async () => {
      expectCgiRefused(await cgi('user/get', { ...token(), userid: 'x'.repeat(100_000) }), 40003);
      const reply = await cgi('department/list', { ...token(), pad: 'x'.repeat(100_000) });
      expect(reply.errcode).toBe(0);
    });

    it('answers a Chinese userid, which WeCom never issues, with 40003', async () => {
      expectCgiRefused(await cgi('user/get', { ...token(), userid: '张三' }), 40003);
    });
  });
});
