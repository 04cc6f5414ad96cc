import { randomBytes } from 'node:crypto';
import { realtimeChannels } from '@atrium/contracts';
import { WecomTokens } from '@atrium/service-gateway';
import { eventually, uniqueSuffix } from '@atrium/testing';
import { createCorp } from '../src/corp-admin';
import { HttpApi } from './support/http-api';
import { startTestPlatform, TestPlatform } from './support/test-platform';

// Response bodies are free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** One field of every object in a JSON array. */
const pluck = (list: unknown, key: string): unknown[] => (list as Record<string, unknown>[]).map((item) => item[key]);

interface Reply {
  status: number;
  body: Json;
}

/**
 * The directory through the gateway, end to end on the whole platform: the native REST API, the
 * WeCom-compatible /cgi-bin/ API with its credentials and errcodes, and sessions cut off when a
 * member leaves.
 */
describe('directory APIs of the gateway', () => {
  let platform: TestPlatform;
  const corpA = `dira-${uniqueSuffix()}`;
  const corpB = `dirb-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  const seededSyncSecret = randomBytes(24).toString('base64url');
  let corpAId = '';
  let adminA = '';
  let adminB = '';

  const http = new HttpApi(() => platform.gatewayUrl);
  // Status and body only: tests compare whole replies.
  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; contentType?: string } = {},
  ): Promise<Reply> => {
    const { status, body } = await http.call(method, path, options);
    return { status, body };
  };
  const api = (method: string, path: string, token: string, body?: unknown) => call(method, `/api/v1${path}`, { token, body });
  const login = async (corp: string, account: string, pass = password) =>
    (await call('POST', '/api/v1/auth/login', { body: { corp, account, password: pass } })).body as {
      accessToken: string;
      refreshToken: string;
    };

  /** A /cgi-bin/ call; every answer of that API is HTTP 200, so this asserts it once for all. */
  const cgi = async (path: string, query: Record<string, string | number | undefined> = {}, body?: unknown, contentType?: string) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const reply = await call(body === undefined ? 'GET' : 'POST', `/cgi-bin/${path}?${params.toString()}`, { body, contentType });
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const gettoken = (corpid: string, corpsecret: string) => cgi('gettoken', { corpid, corpsecret });
  const tokenFor = async (corpid: string, secret: string) => {
    const reply = await gettoken(corpid, secret);
    expect(reply).toMatchObject({ errcode: 0 });
    return reply.access_token as string;
  };

  beforeAll(async () => {
    platform = await startTestPlatform({ gatewayOverrides: { ATRIUM_SYNC_SECRET: seededSyncSecret, ATRIUM_SYNC_SECRET_CORP: corpA } });
    // Created after the gateway started: it learns of corp A, and seeds its secret, from the event.
    const created = await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpA,
      name: 'Acme Directory',
      adminUserid: 'admin',
      adminPassword: password,
    });
    corpAId = created.corp!.id;
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpB,
      name: 'Bolt',
      adminUserid: 'admin',
      adminPassword: password,
    });
    adminA = (await login(corpA, 'admin')).accessToken;
    adminB = (await login(corpB, 'admin')).accessToken;
    // Corp A's custom member attributes (扩展属性), which both APIs below give members values of.
    for (const attribute of [
      { name: 'Badge', type: 'text' },
      { name: 'Homepage', type: 'url' },
    ]) {
      expect((await api('POST', '/directory/attributes', adminA, attribute)).status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await platform?.teardown();
  });

  describe('WeCom-compatible API', () => {
    let syncToken = '';
    let appSecret = '';
    const levels: number[] = [];

    beforeAll(async () => {
      // The secret is seeded once the gateway consumed the corp's creation.
      await eventually(
        () => gettoken(corpA, seededSyncSecret),
        (reply) => reply.errcode === 0,
        15_000,
        'the seeded sync secret',
      );
      syncToken = await tokenFor(corpA, seededSyncSecret);
    });

    it('takes the seeded sync secret with the corp id as well as the corp code', async () => {
      const byId = await gettoken(corpAId, seededSyncSecret);
      expect(byId).toEqual({ errcode: 0, errmsg: 'ok', access_token: syncToken, expires_in: expect.any(Number) });
    });

    it('builds a four-level org with department/create and reads it back', async () => {
      let parentid = 1;
      for (const [i, name] of ['Group HQ', 'Research', 'Platform', 'Storage'].entries()) {
        // Level 2 asks for its id; the others get one allocated. Level 3 sends its parent as a digit string.
        const body = {
          name,
          name_en: `L${i + 1}`,
          parentid: i === 2 ? String(parentid) : parentid,
          order: 100 - i,
          ...(i === 1 ? { id: 7001 } : {}),
        };
        const created = await cgi('department/create', { access_token: syncToken }, body);
        expect(created).toEqual({ errcode: 0, errmsg: 'created', id: expect.any(Number) });
        levels.push(created.id as number);
        parentid = created.id as number;
      }
      expect(levels[1]).toBe(7001);

      const list = await cgi('department/list', { access_token: syncToken, id: levels[0] });
      expect(list.errcode).toBe(0);
      expect(list.department).toEqual(
        levels.map((id, i) => ({
          id,
          name: ['Group HQ', 'Research', 'Platform', 'Storage'][i],
          name_en: `L${i + 1}`,
          department_leader: [],
          parentid: i === 0 ? 1 : levels[i - 1],
          order: 100 - i,
        })),
      );
      expect(await cgi('department/get', { access_token: syncToken, id: levels[3] })).toMatchObject({
        errcode: 0,
        department: { id: levels[3], name: 'Storage', parentid: levels[2] },
      });
      const simple = await cgi('department/simplelist', { access_token: syncToken });
      expect(simple.department_id).toEqual(
        expect.arrayContaining([
          { id: 1, parentid: 0, order: expect.any(Number) },
          { id: levels[3], parentid: levels[2], order: 97 },
        ]),
      );
    });

    it('creates a member with user/create and answers user/get in WeCom field names, userid lower-case', async () => {
      const created = await cgi(
        'user/create',
        { access_token: syncToken },
        {
          userid: 'ZhangSan',
          name: '张三',
          alias: 'Sam',
          mobile: '+86 13800000001',
          email: 'zhangsan@acme.test',
          department: [levels[3], levels[0]],
          order: [10, 20],
          is_leader_in_dept: [1, 0],
          main_department: levels[3],
          position: 'Engineer',
          gender: '1',
          telephone: '020-123456',
          enable: 1,
          to_invite: false,
          extattr: {
            attrs: [
              { type: 0, name: 'Badge', text: { value: 'A-1' } },
              { type: 1, name: 'Homepage', web: { url: 'https://acme.test/zs', title: 'My page' } },
              // Not defined in corp A: WeCom ignores an attribute the admin console has not added.
              { type: 0, name: 'Shoe size', text: { value: '42' } },
            ],
          },
        },
      );
      expect(created).toEqual({ errcode: 0, errmsg: 'created' });

      const user = await cgi('user/get', { access_token: syncToken, userid: 'ZHANGSAN' });
      expect(user).toMatchObject({
        errcode: 0,
        errmsg: 'ok',
        userid: 'zhangsan',
        name: '张三',
        alias: 'Sam',
        mobile: '+86 13800000001',
        email: 'zhangsan@acme.test',
        position: 'Engineer',
        gender: '1',
        telephone: '020-123456',
        main_department: levels[3],
        status: 1,
        extattr: {
          attrs: [
            { type: 0, name: 'Badge', text: { value: 'A-1' } },
            { type: 1, name: 'Homepage', web: { url: 'https://acme.test/zs', title: 'My page' } },
          ],
        },
      });
      const byDepartment = Object.fromEntries(
        (user.department as number[]).map((id, i) => [id, { order: user.order[i] as number, leader: user.is_leader_in_dept[i] as number }]),
      );
      expect(byDepartment).toEqual({ [levels[3]]: { order: 10, leader: 1 }, [levels[0]]: { order: 20, leader: 0 } });
    });

    it('lists members of a department, with fetch_child for its subtree', async () => {
      const direct = await cgi('user/simplelist', { access_token: syncToken, department_id: levels[1] });
      expect(direct).toEqual({ errcode: 0, errmsg: 'ok', userlist: [] });
      const subtree = await cgi('user/simplelist', { access_token: syncToken, department_id: levels[1], fetch_child: 1 });
      expect(subtree.userlist).toEqual([{ userid: 'zhangsan', name: '张三', department: expect.arrayContaining([levels[3], levels[0]]) }]);
      const full = await cgi('user/list', { access_token: syncToken, department_id: levels[3] });
      expect(full.userlist).toEqual([expect.objectContaining({ userid: 'zhangsan', position: 'Engineer', status: 1 })]);
      const ids = await cgi('user/list_id', { access_token: syncToken }, { limit: 100 });
      expect(ids.dept_user).toEqual(
        expect.arrayContaining([
          { userid: 'zhangsan', department: levels[3] },
          { userid: 'admin', department: 1 },
        ]),
      );
    });

    it('updates only the fields sent, and enable switches the member off and on', async () => {
      expect(await cgi('user/update', { access_token: syncToken }, { userid: 'zhangsan', position: 'CTO', enable: 0 })).toEqual({
        errcode: 0,
        errmsg: 'updated',
      });
      expect(await cgi('user/get', { access_token: syncToken, userid: 'zhangsan' })).toMatchObject({
        position: 'CTO',
        status: 2,
        alias: 'Sam',
      });
      await cgi('user/update', { access_token: syncToken }, { userid: 'zhangsan', enable: 1 });
      expect(await cgi('user/get', { access_token: syncToken, userid: 'zhangsan' })).toMatchObject({ status: 1 });
      // extattr changes the attributes it names; the others keep their values.
      const badge = { userid: 'zhangsan', extattr: { attrs: [{ type: 0, name: 'badge', text: { value: 'A-2' } }] } };
      expect(await cgi('user/update', { access_token: syncToken }, badge)).toEqual({ errcode: 0, errmsg: 'updated' });
      expect((await cgi('user/get', { access_token: syncToken, userid: 'zhangsan' })).extattr).toEqual({
        attrs: [
          { type: 0, name: 'Badge', text: { value: 'A-2' } },
          { type: 1, name: 'Homepage', web: { url: 'https://acme.test/zs', title: 'My page' } },
        ],
      });
      // Both empty clears an attribute (as WeCom documents for web attributes).
      const cleared = { userid: 'zhangsan', extattr: { attrs: [{ type: 1, name: 'Homepage', web: { url: '', title: '' } }] } };
      expect(await cgi('user/update', { access_token: syncToken }, cleared)).toEqual({ errcode: 0, errmsg: 'updated' });
      expect((await cgi('user/get', { access_token: syncToken, userid: 'zhangsan' })).extattr).toEqual({
        attrs: [{ type: 0, name: 'Badge', text: { value: 'A-2' } }],
      });
      await cgi('department/update', { access_token: syncToken }, { id: levels[3], name: 'Storage & Backup' });
      expect((await cgi('department/get', { access_token: syncToken, id: levels[3] })).department).toMatchObject({
        name: 'Storage & Backup',
        parentid: levels[2],
      });
    });

    it('refuses a move into its own subtree with 60010 and leaves the tree as it was', async () => {
      expect(await cgi('department/update', { access_token: syncToken }, { id: levels[1], parentid: levels[3] })).toMatchObject({
        errcode: 60010,
      });
      expect((await cgi('department/get', { access_token: syncToken, id: levels[1] })).department.parentid).toBe(levels[0]);
    });

    it('maps directory failures to WeCom errcodes', async () => {
      const t = { access_token: syncToken };
      const errcode = async (path: string, query: Record<string, string | number>, body?: unknown) =>
        (await cgi(path, { ...t, ...query }, body)).errcode as number;
      expect(await errcode('department/create', {}, { name: 'Research', parentid: levels[0] })).toBe(60008);
      expect(await errcode('department/create', {}, { name: 'Orphan', parentid: 987654 })).toBe(60004);
      expect(await errcode('department/create', {}, { name: 'Bad*Name', parentid: 1 })).toBe(60009);
      expect(await errcode('department/create', {}, { name: 'x'.repeat(65), parentid: 1 })).toBe(60001);
      expect(await errcode('department/create', {}, { name: 'Root again', parentid: 1, id: 1 })).toBe(60123);
      expect(await errcode('department/get', { id: 987654 })).toBe(60003);
      expect(await errcode('department/delete', { id: levels[2] })).toBe(60006);
      expect(await errcode('department/delete', { id: levels[3] })).toBe(60005);
      expect(await errcode('department/delete', { id: 1 })).toBe(60007);
      const member = { name: 'Dup', department: [levels[0]] };
      expect(await errcode('user/create', {}, { ...member, userid: 'zhangsan', email: 'other@acme.test' })).toBe(60102);
      expect(await errcode('user/create', {}, { ...member, userid: 'dup1', mobile: '+86 13800000001' })).toBe(60104);
      expect(await errcode('user/create', {}, { ...member, userid: 'dup2', email: 'zhangsan@acme.test' })).toBe(60106);
      expect(await errcode('user/create', {}, { ...member, userid: 'nocontact' })).toBe(60129);
      expect(await errcode('user/create', {}, { ...member, userid: '-bad id', email: 'bad@acme.test' })).toBe(40003);
      expect(await errcode('user/create', {}, { ...member, userid: 'flags', email: 'f@acme.test', is_leader_in_dept: [1, 0] })).toBe(60132);
      expect(await errcode('user/create', {}, { ...member, userid: 'nodept', email: 'n@acme.test', department: [987654] })).toBe(60003);
      const web = (url: string) => ({ userid: 'zhangsan', extattr: { attrs: [{ type: 1, name: 'Homepage', web: { url, title: 'x' } }] } });
      expect(await errcode('user/update', {}, web('ftp://acme.test/zs'))).toBe(40058);
      const wrongType = {
        userid: 'zhangsan',
        extattr: { attrs: [{ type: 1, name: 'Badge', web: { url: 'https://acme.test', title: 'x' } }] },
      };
      expect(await errcode('user/update', {}, wrongType)).toBe(40058);
      expect(await errcode('user/get', { userid: 'nobody' })).toBe(60111);
      expect(await errcode('user/delete', { userid: 'nobody' })).toBe(60111);
    });

    it('answers a malformed body, wrong types and unknown APIs with an errcode and HTTP 200', async () => {
      const t = { access_token: syncToken };
      expect(await cgi('department/create', t, '{"name": "Broken", ')).toMatchObject({ errcode: 47001 });
      expect(await cgi('department/create', t, '[1, 2]')).toMatchObject({ errcode: 47001 });
      expect(await cgi('department/create', t, { name: 'Typed', parentid: 'one' })).toMatchObject({ errcode: 60124 });
      expect(await cgi('department/create', t, { name: 42, parentid: 1 })).toMatchObject({ errcode: 60001 });
      expect(await cgi('department/get', { ...t, id: 'abc' })).toMatchObject({ errcode: 60123 });
      expect(await cgi('user/batchdelete', t, { useridlist: [] })).toMatchObject({ errcode: 40032 });
      expect(await cgi('user/update', t, { userid: 'zhangsan', department: 'all' })).toMatchObject({ errcode: 40066 });
      expect(await cgi('no/such/api', t)).toMatchObject({ errcode: 48002 });
      // WeCom does not insist on a JSON content type, and ignores fields it does not know.
      expect(
        await cgi('department/create', t, JSON.stringify({ name: 'Plain text', parentid: 1, unknown_field: true }), 'text/plain'),
      ).toMatchObject({ errcode: 0, errmsg: 'created' });
    });

    it('deletes members with user/delete and user/batchdelete', async () => {
      for (const userid of ['gone1', 'gone2', 'gone3']) {
        await cgi(
          'user/create',
          { access_token: syncToken },
          { userid, name: userid, email: `${userid}@acme.test`, department: [levels[2]] },
        );
      }
      expect(await cgi('user/delete', { access_token: syncToken, userid: 'gone1' })).toEqual({ errcode: 0, errmsg: 'deleted' });
      expect(await cgi('user/batchdelete', { access_token: syncToken }, { useridlist: ['GONE2', 'gone3'] })).toEqual({
        errcode: 0,
        errmsg: 'deleted',
      });
      expect((await cgi('user/simplelist', { access_token: syncToken, department_id: levels[2] })).userlist).toEqual([]);
    });

    it('lets an app secret read the directory but not write it (60011)', async () => {
      const created = await api('POST', '/admin/apps', adminA, { name: 'Alerts' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        agentid: expect.any(Number),
        name: 'Alerts',
        // Without a visible range an app messages nobody (apps are covered by wecom-messages.int-spec).
        description: '',
        visibleRange: { userids: [], departmentIds: [], tagIds: [] },
        secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        createdAt: expect.any(String),
        secretRotatedAt: expect.any(String),
      });
      appSecret = created.body.secret as string;
      const appToken = await tokenFor(corpA, appSecret);
      expect(appToken).not.toBe(syncToken);
      const t = { access_token: appToken };
      expect(await cgi('department/create', t, { name: 'Not allowed', parentid: 1 })).toMatchObject({ errcode: 60011 });
      expect(await cgi('department/update', t, { id: levels[0], name: 'Renamed' })).toMatchObject({ errcode: 60011 });
      expect(await cgi('department/delete', { ...t, id: levels[3] })).toMatchObject({ errcode: 60011 });
      expect(await cgi('user/create', t, { userid: 'sneaky', name: 'Sneaky', email: 's@acme.test' })).toMatchObject({ errcode: 60011 });
      expect(await cgi('user/update', t, { userid: 'zhangsan', position: 'Intern' })).toMatchObject({ errcode: 60011 });
      expect(pluck((await cgi('department/list', t)).department, 'id')).toEqual(expect.arrayContaining(levels));
      expect(await cgi('user/get', { ...t, userid: 'zhangsan' })).toMatchObject({ errcode: 0, userid: 'zhangsan' });
    });

    it('lists apps to a super admin only, never with their secrets', async () => {
      const apps = await api('GET', '/admin/apps', adminA);
      expect(apps.status).toBe(200);
      expect(apps.body.apps).toEqual([expect.objectContaining({ name: 'Alerts' })]);
      expect(apps.body.apps[0]).not.toHaveProperty('secret');
      await api('POST', '/directory/members', adminA, {
        userid: 'plain',
        name: 'Plain',
        email: 'plain@acme.test',
        departments: [{ departmentId: 1 }],
        password,
      });
      const member = (await login(corpA, 'plain')).accessToken;
      expect((await api('POST', '/admin/apps', member, { name: 'Mine' })).status).toBe(403);
      expect((await api('POST', '/admin/sync-secret', member)).status).toBe(403);
    });

    it('rotates an app secret: the old secret and its token stop working, the new one reads', async () => {
      const { agentid } = (await api('GET', '/admin/apps', adminA)).body.apps[0] as { agentid: number };
      const created = await api('POST', '/admin/apps', adminA, { name: 'Rotated' });
      const oldToken = await tokenFor(corpA, created.body.secret as string);
      const rotated = await api('POST', `/admin/apps/${created.body.agentid}/secret`, adminA);
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ agentid: created.body.agentid, name: 'Rotated', secret: expect.any(String) });
      expect(await cgi('department/list', { access_token: oldToken })).toMatchObject({ errcode: 40014 });
      expect(await gettoken(corpA, created.body.secret as string)).toMatchObject({ errcode: 40001 });
      expect(await cgi('department/list', { access_token: await tokenFor(corpA, rotated.body.secret as string) })).toMatchObject({
        errcode: 0,
      });
      // The other app of the corp keeps its secret.
      expect(await gettoken(corpA, appSecret)).toMatchObject({ errcode: 0 });
      expect(agentid).not.toBe(created.body.agentid);
      expect((await api('POST', '/admin/apps/999999/secret', adminA)).status).toBe(404);
    });

    it('returns the same token inside its lifetime with the time left', async () => {
      const first = await gettoken(corpA, appSecret);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const second = await gettoken(corpA, appSecret);
      expect(second.access_token).toBe(first.access_token);
      expect(second.expires_in).toBeLessThan(first.expires_in as number);
      expect(second.expires_in).toBeGreaterThan(7000);
    });

    it('refuses missing, unknown and expired tokens and wrong credentials with their errcodes', async () => {
      expect(await cgi('department/list')).toMatchObject({ errcode: 41001 });
      expect(await cgi('department/list', { access_token: 'x'.repeat(64) })).toMatchObject({ errcode: 40014 });
      expect(await cgi('department/list', { access_token: 'not a token' })).toMatchObject({ errcode: 40014 });
      const aged = await platform.services.gateway.app
        .get(WecomTokens)
        .mint({ corpId: corpAId, owner: { kind: 'directory_sync' } }, Date.now() - 7_201_000);
      expect(await cgi('department/list', { access_token: aged.token })).toMatchObject({ errcode: 42001 });
      expect(await gettoken(corpA, 'wrong-secret')).toMatchObject({ errcode: 40001 });
      expect(await gettoken(`nope-${uniqueSuffix()}`, seededSyncSecret)).toMatchObject({ errcode: 40013 });
      expect(await cgi('gettoken', { corpsecret: seededSyncSecret })).toMatchObject({ errcode: 41002 });
      expect(await cgi('gettoken', { corpid: corpA })).toMatchObject({ errcode: 41004 });
    });

    it('keeps corps apart: corp B reads none of corp A and rotating its secret ends its old tokens', async () => {
      const first = await api('POST', '/admin/sync-secret', adminB);
      expect(first.status).toBe(200);
      const oldSecret = first.body.secret as string;
      const oldToken = await tokenFor(corpB, oldSecret);
      const t = { access_token: oldToken };
      expect(await cgi('department/get', { ...t, id: levels[3] })).toMatchObject({ errcode: 60003 });
      expect(await cgi('user/get', { ...t, userid: 'zhangsan' })).toMatchObject({ errcode: 60111 });
      expect(pluck((await cgi('department/list', t)).department, 'id')).toEqual([1]);
      expect(await cgi('department/create', t, { name: 'Bolt R&D', parentid: 1, id: levels[3] })).toMatchObject({
        errcode: 0,
        id: levels[3],
      });
      expect((await cgi('department/get', { access_token: syncToken, id: levels[3] })).department.name).toBe('Storage & Backup');
      expect(await gettoken(corpA, oldSecret)).toMatchObject({ errcode: 40001 });

      const rotated = (await api('POST', '/admin/sync-secret', adminB)).body.secret as string;
      expect(await cgi('department/list', t)).toMatchObject({ errcode: 40014 });
      expect(await gettoken(corpB, oldSecret)).toMatchObject({ errcode: 40001 });
      expect(await cgi('department/list', { access_token: await tokenFor(corpB, rotated) })).toMatchObject({ errcode: 0 });
    });
  });

  describe('native REST API', () => {
    const ids: number[] = [];

    it('builds a four-level org and pages through its members', async () => {
      let parentId = 1;
      for (const name of ['Sales', 'North', 'Beijing', 'Chaoyang']) {
        const created = await api('POST', '/directory/departments', adminA, { parentId, name, nameEn: name.toLowerCase() });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ parentId, name, nameEn: name.toLowerCase(), path: [1, ...ids, created.body.id] });
        ids.push(created.body.id as number);
        parentId = created.body.id as number;
      }
      const subtree = await api('GET', `/directory/departments?id=${ids[0]}`, adminA);
      expect(pluck(subtree.body.departments, 'id')).toEqual(ids);
      const direct = await api('GET', `/directory/departments?id=${ids[0]}&directOnly=true`, adminA);
      expect(pluck(direct.body.departments, 'id')).toEqual(ids.slice(0, 2));

      for (const userid of ['Li.Si', 'ma.qi']) {
        const created = await api('POST', '/directory/members', adminA, {
          userid,
          name: userid,
          email: `${userid.toLowerCase()}@acme.test`,
          departments: [{ departmentId: ids[3], isLeader: userid === 'Li.Si' }],
          extattrs: [{ name: 'Badge', type: 'text', value: 'S-1' }],
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ userid: userid.toLowerCase(), status: 'active', departments: [{ departmentId: ids[3] }] });
      }
      const first = await api('GET', `/directory/members?departmentId=${ids[0]}&recursive=true&pageSize=1`, adminA);
      expect(first.status).toBe(200);
      expect(pluck(first.body.members, 'userid')).toEqual(['li.si']);
      const second = await api(
        'GET',
        `/directory/members?departmentId=${ids[0]}&recursive=true&pageSize=1&pageToken=${first.body.nextPageToken}`,
        adminA,
      );
      expect(second.body).toEqual({ members: [expect.objectContaining({ userid: 'ma.qi' })], nextPageToken: '' });
      expect((await api('GET', `/directory/members?departmentId=${ids[0]}`, adminA)).body.members).toEqual([]);

      const patched = await api('PATCH', '/directory/members/li.si', adminA, { position: 'Director', directLeaders: ['admin'] });
      expect(patched.body).toMatchObject({ position: 'Director', directLeaders: ['admin'], email: 'li.si@acme.test' });
      const chain = await api('GET', '/directory/members/li.si/manager-chain?levels=2', adminA);
      expect(chain.body).toEqual({ levels: [['admin']] });
    });

    it('moves a department among siblings and refuses a move into its own subtree', async () => {
      const cycle = await api('POST', `/directory/departments/${ids[1]}/move`, adminA, { parentId: ids[3] });
      expect(cycle.status).toBe(409);
      expect(cycle.body).toMatchObject({ code: 'DEPARTMENT_CYCLE', traceId: expect.any(String) });
      const moved = await api('POST', `/directory/departments/${ids[2]}/move`, adminA, { parentId: ids[0], afterId: 0 });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: ids[2], parentId: ids[0], path: [1, ids[0], ids[2]] });
      expect((await api('GET', `/directory/departments/${ids[3]}`, adminA)).body.path).toEqual([1, ids[0], ids[2], ids[3]]);
    });

    it('answers errors with the envelope and refuses unknown fields', async () => {
      const unknown = await api('POST', '/directory/departments', adminA, { parentId: 1, name: 'X', colour: 'red' });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'colour' }] } });
      const notEmpty = await api('DELETE', `/directory/departments/${ids[0]}`, adminA);
      expect(notEmpty.status).toBe(409);
      expect(notEmpty.body).toMatchObject({ code: 'DEPARTMENT_NOT_EMPTY' });
      expect((await api('GET', '/directory/departments/987654', adminA)).status).toBe(404);
      expect((await api('GET', '/directory/departments/99999999999', adminA)).status).toBe(400);
      const member = (await login(corpA, 'plain')).accessToken;
      const forbidden = await api('POST', '/directory/departments', member, { parentId: 1, name: 'Mine' });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('manages tags, admin scopes and external contacts', async () => {
      const tag = await api('POST', '/directory/tags', adminA, { name: 'On call' });
      expect(tag.status).toBe(201);
      const targets = await api('PUT', `/directory/tags/${tag.body.id}/targets`, adminA, { userids: ['li.si'], departmentIds: [ids[0]] });
      expect(targets.body).toEqual({ id: tag.body.id, name: 'On call', userids: ['li.si'], departmentIds: [ids[0]] });
      expect((await api('GET', '/directory/tags', adminA)).body.tags).toEqual([targets.body]);

      const scope = await api('PUT', '/directory/admin-scopes/li.si', adminA, {
        role: 'sub_admin',
        departmentIds: [ids[0]],
        permissions: ['manage_members'],
      });
      expect(scope.body).toEqual({ userid: 'li.si', role: 'sub_admin', departmentIds: [ids[0]], permissions: ['manage_members'] });
      expect((await api('GET', '/directory/admin-scopes', adminA)).body.scopes).toEqual(expect.arrayContaining([scope.body]));
      expect((await api('DELETE', '/directory/admin-scopes/li.si', adminA)).status).toBe(204);

      const contact = await api('POST', '/directory/external-contacts', adminA, {
        ownerUserid: 'li.si',
        name: 'Client Co',
        company: 'Client',
      });
      expect(contact.status).toBe(201);
      expect((await api('GET', '/directory/external-contacts?owner=li.si', adminA)).body.contacts).toEqual([contact.body]);
    });

    it('manages custom member attributes and refuses a value of an undefined one, naming it', async () => {
      const desk = await api('POST', '/directory/attributes', adminA, { name: 'Desk', type: 'text' });
      expect(desk).toEqual({ status: 201, body: { name: 'Desk', type: 'text', order: 2 } });
      expect((await api('POST', '/directory/attributes', adminA, { name: 'desk', type: 'url' })).body).toMatchObject({
        code: 'ALREADY_EXISTS',
      });
      expect((await api('POST', '/directory/attributes', adminA, { name: 'Birthday', type: 'date' })).status).toBe(400);

      const set = await api('PATCH', '/directory/members/ma.qi', adminA, {
        extattrs: [
          { name: 'desk', value: 'B2-117' },
          { name: 'Homepage', value: 'https://acme.test/ma', title: 'Ma Qi' },
        ],
      });
      expect(set.status).toBe(200);
      expect(set.body.extattrs).toEqual([
        { name: 'Desk', type: 'text', value: 'B2-117', title: '' },
        { name: 'Homepage', type: 'url', value: 'https://acme.test/ma', title: 'Ma Qi' },
      ]);
      const unknown = await api('PATCH', '/directory/members/ma.qi', adminA, { extattrs: [{ name: 'Shoe size', value: '42' }] });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'custom attribute "Shoe size" is not defined in this corp',
        details: { field: 'extattrs[0].name', attribute: 'Shoe size' },
      });
      const notHttp = await api('PATCH', '/directory/members/ma.qi', adminA, {
        extattrs: [{ name: 'Homepage', value: 'mailto:ma@acme.test' }],
      });
      expect(notHttp.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'extattrs[0].value', attribute: 'Homepage' } });

      const renamed = await api('PATCH', '/directory/attributes/Desk', adminA, { name: 'Desk No.', order: 0 });
      expect(renamed.body).toEqual({ name: 'Desk No.', type: 'text', order: 0 });
      expect((await api('GET', '/directory/members/ma.qi', adminA)).body.extattrs[0]).toMatchObject({ name: 'Desk No.', value: 'B2-117' });
      expect(pluck((await api('GET', '/directory/attributes', adminA)).body.attributes, 'name')).toEqual(['Badge', 'Desk No.', 'Homepage']);
      expect(await api('DELETE', '/directory/attributes/desk%20no.', adminA)).toEqual({ status: 200, body: { clearedMembers: 1 } });
      expect(pluck((await api('GET', '/directory/members/ma.qi', adminA)).body.extattrs, 'name')).toEqual(['Homepage']);
      expect((await api('GET', '/directory/attributes', adminB)).body).toEqual({ attributes: [] });
    });

    it('keeps corps apart', async () => {
      expect((await api('GET', `/directory/departments/${ids[0]}`, adminB)).status).toBe(404);
      expect((await api('GET', '/directory/members/li.si', adminB)).status).toBe(404);
    });

    it('exports members as CSV, imports departments as a job, and searches members', async () => {
      const res = await fetch(`${platform.gatewayUrl}/api/v1/directory/exports/members`, {
        headers: { authorization: `Bearer ${adminA}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const csv = await res.text();
      expect(csv.split(/\r?\n/)[0]).toMatch(/User ID/);
      expect(csv).toContain('li.si');

      const started = await api('POST', '/directory/imports', adminA, {
        kind: 'departments',
        csv: `Department ID,Parent Department ID,Name\n${ids[3] + 100},${ids[3]},Imported`,
      });
      expect(started.status).toBe(202);
      const done = await eventually(
        async () => (await api('GET', `/directory/imports/${started.body.id}`, adminA)).body,
        (job) => job.status === 'done' || job.status === 'invalid' || job.status === 'failed',
        15_000,
        'the import job',
      );
      expect(done).toMatchObject({ status: 'done', errorCount: 0 });
      expect((await api('GET', `/directory/departments/${ids[3] + 100}`, adminA)).body).toMatchObject({
        name: 'Imported',
        parentId: ids[3],
      });

      const search = await eventually(
        async () => (await api('GET', '/directory/members:search?q=ma.qi', adminA)).body,
        (body) => Array.isArray(body.hits) && body.hits.length > 0,
        10_000,
        'a search hit',
      );
      expect(search.hits[0]).toMatchObject({ member: { userid: 'ma.qi' } });
    });

    it('documents the directory, admin and WeCom APIs in OpenAPI', async () => {
      const doc = (await call('GET', '/docs-json')).body as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/directory/departments',
          '/api/v1/directory/departments/{id}/move',
          '/api/v1/directory/members/{userid}/offboard',
          '/api/v1/directory/members:search',
          '/api/v1/directory/attributes',
          '/api/v1/directory/attributes/{name}',
          '/api/v1/directory/imports',
          '/api/v1/admin/apps',
          '/api/v1/admin/sync-secret',
          '/cgi-bin/gettoken',
          '/cgi-bin/department/create',
          '/cgi-bin/user/get',
        ]),
      );
    });
  });

  describe('sessions of members who leave', () => {
    const createMember = async (userid: string) => {
      const created = await api('POST', '/directory/members', adminA, {
        userid,
        name: userid,
        email: `${userid}@acme.test`,
        departments: [{ departmentId: 1 }],
        password,
      });
      expect(created.status).toBe(201);
      return login(corpA, userid);
    };
    const me = (token: string) => call('GET', '/api/v1/me', { token });
    const refresh = (refreshToken: string) => call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });

    /**
     * Polls until the access token is refused (401) and returns the last reply. The cut-off is
     * event-driven, far inside the access token's 15 minutes; how fast it is on a loaded machine is
     * not this test's claim, so it waits up to 10 s.
     */
    const untilRefused = async (token: string) => {
      const since = Date.now();
      let reply = await me(token);
      while (reply.status !== 401 && Date.now() - since < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        reply = await me(token);
      }
      return reply;
    };

    it('refuses an offboarded member at once: access token 401, refresh token refused', async () => {
      const tokens = await createMember('wang.wu');
      expect((await me(tokens.accessToken)).status).toBe(200);
      const userChannel: string[] = [];
      const unsubscribe = await platform.services.gateway.infra.pubsub.subscribe(realtimeChannels.user(corpAId, 'wang.wu'), (m) =>
        userChannel.push(m),
      );

      const offboarded = await api('POST', '/directory/members/wang.wu/offboard', adminA, { successorUserid: 'admin' });
      expect(offboarded.status).toBe(200);
      expect(offboarded.body.member).toMatchObject({ userid: 'wang.wu', status: 'offboarded' });
      expect(pluck(offboarded.body.transfers, 'resourceType')).toEqual(expect.arrayContaining(['external_contacts', 'groups']));

      const reply = await untilRefused(tokens.accessToken);
      expect(reply).toEqual({
        status: 401,
        body: expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'account is no longer active' }),
      });
      // The refresh token family is revoked in the same transaction as the access-token cut-off;
      // until it commits, a refresh is refused by the directory's status check instead (403).
      const refreshed = await eventually(
        () => refresh(tokens.refreshToken),
        (r) => r.status !== 403,
        1_000,
        'the revoked refresh token',
      );
      expect(refreshed).toEqual({
        status: 401,
        body: expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'session has been revoked' }),
      });
      // Messaging, approval and report each consume the offboarding and report their part back:
      // every transfer record, the other services' included, ends done.
      const transfers = await eventually(
        async () => (await api('GET', '/directory/members/wang.wu/transfers', adminA)).body.transfers as Json[],
        (records) => records.length === 6 && records.every((r) => r.status === 'done'),
        30_000,
        'every transfer record done',
      );
      expect(Object.fromEntries(transfers.map((r) => [r.resourceType, { status: r.status, successor: r.successorUserid }]))).toEqual(
        Object.fromEntries(
          ['approvals', 'department_heads', 'direct_reports', 'external_contacts', 'groups', 'report_reviews'].map((type) => [
            type,
            { status: 'done', successor: 'admin' },
          ]),
        ),
      );
      expect(transfers.find((r) => r.resourceType === 'approvals')).toMatchObject({
        transferred: 0,
        detail: 'the approval service holds no approvals yet: nothing to transfer',
      });
      expect(transfers.find((r) => r.resourceType === 'report_reviews')).toMatchObject({
        transferred: 0,
        detail: 'the report service holds no reports yet: nothing to transfer',
      });
      // Every gateway replica hears it on the member's user channel and closes their sockets.
      await eventually(
        () => userChannel,
        (messages) => messages.length > 0,
        2_000,
        'the revocation on the user channel',
      );
      expect(JSON.parse(userChannel[0])).toEqual({ kind: 'revoked', reason: 'offboarded' });
      await unsubscribe();
    });

    it('cuts a disabled member off at once and lets them back in once re-enabled', async () => {
      const tokens = await createMember('zhao.liu');
      const disabled = await api('POST', '/directory/members/zhao.liu/disable', adminA);
      expect(disabled.body).toMatchObject({ status: 'disabled' });
      expect((await untilRefused(tokens.accessToken)).status).toBe(401);
      expect((await refresh(tokens.refreshToken)).status).toBe(401);
      expect((await call('POST', '/api/v1/auth/login', { body: { corp: corpA, account: 'zhao.liu', password } })).status).toBe(403);

      expect((await api('POST', '/directory/members/zhao.liu/enable', adminA)).body).toMatchObject({ status: 'active' });
      const again = await login(corpA, 'zhao.liu');
      await eventually(
        () => me(again.accessToken),
        (r) => r.status === 200,
        5_000,
        'the re-enabled member signed in again',
      );
    });

    it('refuses a deleted member at once', async () => {
      const tokens = await createMember('sun.ba');
      expect((await api('DELETE', '/directory/members/sun.ba', adminA)).status).toBe(204);
      expect((await untilRefused(tokens.accessToken)).status).toBe(401);
    });
  });
});
