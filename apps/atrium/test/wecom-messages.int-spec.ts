import { randomBytes } from 'node:crypto';
import { directoryV1, messagingV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { eventually, memberInput, uniqueSuffix } from '@atrium/testing';
import { Metadata } from '@grpc/grpc-js';
import { Client } from 'pg';
import { Observable } from 'rxjs';
import { createCorp } from '../src/corp-admin';
import { startTestPlatform, TestPlatform } from './support/test-platform';
import { TestSocket } from './support/test-socket';

// Response bodies are free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Directory = directoryV1.DirectoryServiceClient;

interface Frame {
  type: string;
  conversationId?: string;
  seq?: number;
  message?: { seq: number; sender: string; type: string; content: Json | null };
  [key: string]: unknown;
}

/**
 * Apps and the WeCom-compatible message APIs end to end on the whole platform: an app's token
 * sends to members, departments and tags within its visible range (message/send), recalls
 * (message/recall), and runs group chats (appchat/*); members read it all like any conversation.
 */
describe('WeCom app messages', () => {
  let platform: TestPlatform;
  let directory: GrpcServiceClient<Directory>;
  const corpA = `msga-${uniqueSuffix()}`;
  const corpB = `msgb-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  const appSecret = randomBytes(24).toString('base64url');
  const syncSecret = randomBytes(24).toString('base64url');
  let corpAId = '';
  let sales = 0;
  let ops = 0;
  let onCall = 0;
  let other = 0;
  const tokens: Record<string, string> = {};
  let appToken = '';
  const sockets: TestSocket<Frame>[] = [];
  const chatid = `ops${uniqueSuffix().replace(/[^0-9a-zA-Z]/g, '')}`.slice(0, 32);

  const call = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const api = (method: string, path: string, token: string, body?: unknown) => call(method, `/api/v1${path}`, { token, body });
  /** A /cgi-bin/ call: always HTTP 200, asserted once for all. */
  const cgi = async (path: string, accessToken: string | undefined, body?: unknown, query: Record<string, string> = {}) => {
    const params = new URLSearchParams(query);
    if (accessToken) params.set('access_token', accessToken);
    const reply = await call(body === undefined ? 'GET' : 'POST', `/cgi-bin/${path}?${params.toString()}`, { body });
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const tokenFor = async (corp: string, secret: string) => {
    const reply = await cgi('gettoken', undefined, undefined, { corpid: corp, corpsecret: secret });
    expect(reply).toMatchObject({ errcode: 0 });
    return reply.access_token as string;
  };
  const login = async (corp: string, account: string) =>
    ((await call('POST', '/api/v1/auth/login', { body: { corp, account, password } })).body as { accessToken: string }).accessToken;
  const dir = <R>(caller: CallerIdentity, fn: (d: Directory, md: Metadata) => Observable<R>) => directory.call('test', fn, caller);
  const text = (content: string, extra: Json = {}) => ({ msgtype: 'text', agentid: 1000002, text: { content }, ...extra });

  /** The member's app conversation with an app, once it exists. */
  const appConversation = async (userid: string, agentid = 1000002) => {
    const list = await eventually(
      () => api('GET', '/conversations', tokens[userid]),
      (r) => (r.body.conversations as Json[]).some((c) => c.kind === 'app' && c.owner === `app:${agentid}`),
      10_000,
      `${userid}'s conversation with app ${agentid}`,
    );
    return (list.body.conversations as Json[]).find((c) => c.kind === 'app' && c.owner === `app:${agentid}`)!;
  };
  const messagesOf = async (userid: string, conversationId: string) =>
    (await api('GET', `/conversations/${conversationId}/messages`, tokens[userid])).body.messages as Json[];
  const textsOf = async (userid: string, agentid = 1000002) => {
    const conversation = await appConversation(userid, agentid);
    return (await messagesOf(userid, conversation.id as string)).map((m) =>
      String((m.content as Json | null)?.text ?? (m.recalled ? '(recalled)' : '')),
    );
  };

  beforeAll(async () => {
    platform = await startTestPlatform({
      gatewayOverrides: { ATRIUM_APP_SECRET: appSecret, ATRIUM_SYNC_SECRET: syncSecret, ATRIUM_SYNC_SECRET_CORP: corpA },
    });
    directory = new GrpcServiceClient(
      {
        caller: 'test',
        url: platform.grpcUrls.directory,
        packageName: 'atrium.directory.v1',
        protoPath: protoPathFor('directory'),
        identityKey: platform.identityKey,
      },
      directoryV1.DIRECTORY_SERVICE_NAME,
    );
    const created = await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpA,
      name: 'Acme Messages',
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
    const admin: CallerIdentity = { corpId: corpAId, userId: 'admin', roles: [SUPER_ADMIN_ROLE] };
    const department = async (name: string) =>
      (await dir(admin, (d, md) => d.createDepartment({ id: 0, parentId: 1, name, nameEn: '', order: 0, leaders: [] }, md))).department!.id;
    sales = await department('Sales');
    ops = await department('Ops');
    const people: [string, number][] = [
      ['alice', sales],
      ['bob', sales],
      ['frank', sales],
      ['carol', 1],
      ['dave', 1],
      ['erin', ops],
    ];
    for (const [userid, departmentId] of people) {
      await dir(admin, (d, md) => d.createMember({ member: memberInput(userid, [departmentId], { password }) }, md));
    }
    const tag = async (name: string, userids: string[]) => {
      const id = (await dir(admin, (d, md) => d.createTag({ name, id: 0 }, md))).tag!.id;
      await dir(admin, (d, md) => d.setTagTargets({ id, userids, departmentIds: [] }, md));
      return id;
    };
    onCall = await tag('On call', ['erin']);
    other = await tag('Other', ['dave']);
    for (const userid of ['admin', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank']) tokens[userid] = await login(corpA, userid);
    tokens.adminB = await login(corpB, 'admin');
    // The app of ATRIUM_APP_SECRET is installed once the gateway has heard of the corp.
    await eventually(
      () => cgi('gettoken', undefined, undefined, { corpid: corpA, corpsecret: appSecret }),
      (reply) => reply.errcode === 0,
      15_000,
      'the seeded app secret',
    );
    appToken = await tokenFor(corpA, appSecret);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await directory?.close();
    await platform?.teardown();
  });

  describe('apps (admin REST)', () => {
    it('seeds app 1000002 from ATRIUM_APP_SECRET, seeing the whole corp, and lists it without a secret', async () => {
      const apps = await api('GET', '/admin/apps', tokens.admin);
      expect(apps.status).toBe(200);
      expect(apps.body.apps).toEqual([
        expect.objectContaining({ agentid: 1000002, name: 'Atrium', visibleRange: { userids: [], departmentIds: [1], tagIds: [] } }),
      ]);
      expect(apps.body.apps[0]).not.toHaveProperty('secret');
    });

    it('creates an app with a visible range (its secret shown once), reads and changes it; members may not', async () => {
      const created = await api('POST', '/admin/apps', tokens.admin, {
        name: 'Sales bot',
        description: 'Pipeline alerts',
        visibleRange: { departmentIds: [sales], userids: ['CAROL'], tagIds: [onCall] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        agentid: 1000003,
        name: 'Sales bot',
        description: 'Pipeline alerts',
        visibleRange: { userids: ['carol'], departmentIds: [sales], tagIds: [onCall] },
        secret: expect.any(String),
      });
      const got = await api('GET', '/admin/apps/1000003', tokens.admin);
      expect(got.body).toEqual(expect.objectContaining({ agentid: 1000003, visibleRange: created.body.visibleRange }));
      expect(got.body).not.toHaveProperty('secret');
      const renamed = await api('PATCH', '/admin/apps/1000003', tokens.admin, { name: 'Sales alerts' });
      expect(renamed.body).toMatchObject({ name: 'Sales alerts', visibleRange: created.body.visibleRange });
      expect(renamed.body).not.toHaveProperty('secret');

      const unknown = await api('PATCH', '/admin/apps/1000003', tokens.admin, {
        visibleRange: { departmentIds: [424242], userids: ['nobody'] },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { unknown: { userids: ['nobody'], departmentIds: [424242] } },
      });
      expect((await api('GET', '/admin/apps/999', tokens.admin)).status).toBe(404);
      expect((await api('GET', '/admin/apps/1000003', tokens.alice)).status).toBe(403);
      expect((await api('PATCH', '/admin/apps/1000003', tokens.alice, { name: 'Mine' })).status).toBe(403);
      tokens.salesApp = await tokenFor(corpA, created.body.secret as string);
    });
  });

  it('documents the app and WeCom message endpoints in OpenAPI', async () => {
    const doc = (await call('GET', '/docs-json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/admin/apps/{agentid}',
        '/cgi-bin/message/send',
        '/cgi-bin/message/recall',
        '/cgi-bin/appchat/create',
        '/cgi-bin/appchat/update',
        '/cgi-bin/appchat/get',
        '/cgi-bin/appchat/send',
      ]),
    );
  });

  describe('message/send', () => {
    it('sends text to users and a department, reports an unknown user, and delivers over WebSocket and sync', async () => {
      const alice = await TestSocket.open<Frame>(platform.gatewayUrl, tokens.alice);
      sockets.push(alice);
      const reply = await cgi('message/send', appToken, {
        ...text('Your parcel has arrived'),
        touser: 'alice|BOB|ghost',
        toparty: String(sales),
      });
      expect(reply).toEqual({
        errcode: 0,
        errmsg: 'ok',
        invaliduser: 'ghost',
        invalidparty: '',
        invalidtag: '',
        msgid: expect.any(String),
      });

      // Over the socket: the new app conversation, then the message in it.
      const frame = (
        await eventually(
          () => Promise.resolve(alice.frames),
          (frames) => frames.some((f) => f.type === 'message' && f.message?.sender === 'app:1000002'),
          10_000,
          "alice's socket frame",
        )
      ).find((f) => f.type === 'message')!;
      expect(frame.message).toMatchObject({ seq: 1, sender: 'app:1000002', type: 'text', content: { text: 'Your parcel has arrived' } });
      expect(alice.frames).toContainEqual({ type: 'membership', conversationId: frame.conversationId, joined: true });

      // Over sync: alice, bob (named and in Sales: once) and frank (Sales) each have it in their own app conversation.
      const conversations = await Promise.all(['alice', 'bob', 'frank'].map((u) => appConversation(u)));
      expect(conversations[0]).toMatchObject({
        id: frame.conversationId,
        kind: 'app',
        name: 'Atrium',
        owner: 'app:1000002',
        memberCount: 1,
      });
      expect(new Set(conversations.map((c) => c.id as string)).size).toBe(3);
      for (const [i, userid] of ['alice', 'bob', 'frank'].entries()) {
        expect(await messagesOf(userid, conversations[i].id as string)).toEqual([
          expect.objectContaining({
            seq: 1,
            sender: 'app:1000002',
            clientMsgId: reply.msgid,
            content: { text: 'Your parcel has arrived', mentions: [], mentionAll: false },
          }),
        ]);
      }
      const carolsList = await api('GET', '/conversations', tokens.carol);
      expect((carolsList.body.conversations as Json[]).filter((c) => c.kind === 'app')).toEqual([]);
    });

    it('gives each app conversation its own sequence and keeps using it', async () => {
      const reply = await cgi('message/send', appToken, {
        msgtype: 'markdown',
        agentid: 1000002,
        markdown: { content: '**Standup** at 10' },
        touser: 'alice',
      });
      expect(reply).toMatchObject({ errcode: 0 });
      const conversation = await appConversation('alice');
      const messages = await messagesOf('alice', conversation.id as string);
      expect(messages.map((m) => [m.seq as number, m.type as string])).toEqual([
        [1, 'text'],
        [2, 'markdown'],
      ]);
      expect(messages[1].content).toEqual({ content: '**Standup** at 10' });
    });

    it('sends textcard and news', async () => {
      const card = await cgi('message/send', appToken, {
        msgtype: 'textcard',
        agentid: 1000002,
        touser: 'dave',
        textcard: {
          title: '领奖通知',
          description: '<div class="gray">2026年11月25日</div>',
          url: 'https://acme.test/award',
          btntxt: '更多',
        },
      });
      expect(card).toMatchObject({ errcode: 0 });
      const news = await cgi('message/send', appToken, {
        msgtype: 'news',
        agentid: 1000002,
        touser: 'dave',
        news: {
          articles: [{ title: 'Q3 results', description: 'Up 12%', url: 'https://acme.test/q3', picurl: 'https://acme.test/q3.png' }],
        },
      });
      expect(news).toMatchObject({ errcode: 0 });
      const conversation = await appConversation('dave');
      expect((await messagesOf('dave', conversation.id as string)).map((m) => ({ type: m.type, content: m.content }))).toEqual([
        {
          type: 'textcard',
          content: {
            title: '领奖通知',
            description: '<div class="gray">2026年11月25日</div>',
            url: 'https://acme.test/award',
            btntxt: '更多',
          },
        },
        {
          type: 'news',
          content: {
            articles: [{ title: 'Q3 results', description: 'Up 12%', url: 'https://acme.test/q3', picurl: 'https://acme.test/q3.png' }],
          },
        },
      ]);
    });

    it('sends an image the app uploaded: every recipient, and only they, may fetch it', async () => {
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
      const form = new FormData();
      form.append('media', new Blob([png], { type: 'image/png' }), 'dot.png');
      const upload = await fetch(`${platform.gatewayUrl}/cgi-bin/media/upload?access_token=${appToken}&type=image`, {
        method: 'POST',
        body: form,
      });
      const uploaded = (await upload.json()) as Json;
      expect(uploaded).toMatchObject({ errcode: 0, type: 'image', media_id: expect.any(String) });
      const mediaId = uploaded.media_id as string;

      const reply = await cgi('message/send', appToken, {
        msgtype: 'image',
        agentid: 1000002,
        image: { media_id: mediaId },
        touser: 'erin|frank',
      });
      expect(reply).toMatchObject({ errcode: 0, invaliduser: '' });
      for (const userid of ['erin', 'frank']) {
        const conversation = await appConversation(userid);
        expect((await messagesOf(userid, conversation.id as string)).at(-1)).toMatchObject({ type: 'image', content: { mediaId } });
        const res = await fetch(`${platform.gatewayUrl}/api/v1/media/${mediaId}`, {
          headers: { authorization: `Bearer ${tokens[userid]}` },
        });
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
      }
      const outsider = await fetch(`${platform.gatewayUrl}/api/v1/media/${mediaId}`, {
        headers: { authorization: `Bearer ${tokens.carol}` },
      });
      expect(outsider.status).toBe(404);
      expect(
        await cgi('message/send', appToken, { msgtype: 'image', agentid: 1000002, image: { media_id: 'nosuchmedia' }, touser: 'erin' }),
      ).toMatchObject({
        errcode: 40007,
      });
    });

    it('reaches everyone the app sees with @all', async () => {
      const reply = await cgi('message/send', appToken, text('All hands at 4pm', { touser: '@all', toparty: '999' }));
      expect(reply).toMatchObject({ errcode: 0, invaliduser: '', invalidparty: '', invalidtag: '' });
      for (const userid of ['admin', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
        expect(await textsOf(userid)).toContain('All hands at 4pm');
      }
    });

    it("reports who is outside the app's visible range and sends to the rest", async () => {
      const reply = await cgi('message/send', tokens.salesApp, {
        ...text('Pipeline review', { agentid: 1000003 }),
        touser: 'alice|dave|carol',
        toparty: `${ops}|${sales}`,
        totag: `${onCall}|${other}`,
      });
      expect(reply).toEqual({
        errcode: 0,
        errmsg: 'ok',
        invaliduser: 'dave',
        invalidparty: String(ops),
        invalidtag: String(other),
        msgid: expect.any(String),
      });
      // Sales (alice, bob, frank), carol by name, erin through the visible tag.
      for (const userid of ['alice', 'bob', 'frank', 'carol', 'erin']) expect(await textsOf(userid, 1000003)).toEqual(['Pipeline review']);
      const davesApps = (await api('GET', '/conversations', tokens.dave)).body.conversations as Json[];
      expect(davesApps.some((c) => c.owner === 'app:1000003')).toBe(false);

      const everyone = await cgi('message/send', tokens.salesApp, text('Everyone I see', { agentid: 1000003, touser: '@all' }));
      expect(everyone).toMatchObject({ errcode: 0 });
      for (const userid of ['alice', 'bob', 'frank', 'carol', 'erin']) expect(await textsOf(userid, 1000003)).toContain('Everyone I see');
      expect(((await api('GET', '/conversations', tokens.admin)).body.conversations as Json[]).some((c) => c.owner === 'app:1000003')).toBe(
        false,
      );
    });

    it('answers 81013 with the invalid parts when nobody is left, and sends nothing', async () => {
      const reply = await cgi('message/send', tokens.salesApp, {
        ...text('Nobody', { agentid: 1000003 }),
        touser: 'dave|ghost',
        toparty: String(ops),
      });
      expect(reply).toMatchObject({ errcode: 81013, invaliduser: 'dave|ghost', invalidparty: String(ops), invalidtag: '' });
      expect(reply).not.toHaveProperty('msgid');
    });

    it('with the duplicate check, the same message to the same people inside the interval is sent once', async () => {
      const body = { ...text('Reminder: timesheets'), touser: 'carol', enable_duplicate_check: 1, duplicate_check_interval: 600 };
      const first = await cgi('message/send', appToken, body);
      const second = await cgi('message/send', appToken, body);
      expect(first).toMatchObject({ errcode: 0 });
      expect(second).toEqual(first);
      expect((await textsOf('carol')).filter((t) => t === 'Reminder: timesheets')).toHaveLength(1);
      // Without the check (or with other content) it is a new message.
      const third = await cgi('message/send', appToken, { ...body, enable_duplicate_check: 0 });
      expect(third.msgid).not.toBe(first.msgid);
      expect((await textsOf('carol')).filter((t) => t === 'Reminder: timesheets')).toHaveLength(2);
    });

    it('refuses an agentid that is not the token app (301002), a missing one (41011) and bad content', async () => {
      expect(await cgi('message/send', appToken, text('x', { agentid: 1000003, touser: 'alice' }))).toMatchObject({ errcode: 301002 });
      expect(await cgi('message/send', appToken, { msgtype: 'text', text: { content: 'x' }, touser: 'alice' })).toMatchObject({
        errcode: 41011,
      });
      expect(await cgi('message/send', appToken, { ...text('x', { msgtype: 'hologram' }), touser: 'alice' })).toMatchObject({
        errcode: 40008,
      });
      expect(await cgi('message/send', appToken, { ...text(''), touser: 'alice' })).toMatchObject({ errcode: 44004 });
      expect(await cgi('message/send', appToken, { ...text('x'.repeat(2_049)), touser: 'alice' })).toMatchObject({ errcode: 45002 });
      expect(await cgi('message/send', appToken, text('x'))).toMatchObject({ errcode: 82001 });
    });

    it('answers a body that is not JSON with 47001, not a 500', async () => {
      expect(await cgi('message/send', appToken, '{"msgtype": "text",')).toMatchObject({ errcode: 47001 });
      expect(await cgi('appchat/create', appToken, 'not json')).toMatchObject({ errcode: 47001 });
    });

    it('refuses the directory-sync token: it is not an app (48002)', async () => {
      const sync = await tokenFor(corpA, syncSecret);
      expect(await cgi('message/send', sync, { ...text('x'), touser: 'alice' })).toMatchObject({ errcode: 48002 });
      expect(await cgi('appchat/create', sync, { userlist: ['alice', 'bob'] })).toMatchObject({ errcode: 48002 });
      const update = { agentid: 1000002, response_code: 'whatever', button: { replace_name: 'done' } };
      expect(await cgi('message/update_template_card', sync, update)).toMatchObject({ errcode: 48002 });
    });

    it('keeps app conversations read-only for members', async () => {
      const conversation = await appConversation('alice');
      const post = await api('POST', `/conversations/${conversation.id}/messages`, tokens.alice, {
        clientMsgId: 'reply-1',
        type: 'text',
        content: { text: 'thanks!' },
      });
      expect(post.status).toBe(403);
      expect(post.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'APP_CONVERSATION' } });
    });

    it('records each send in the outbox as app message events the archive takes', async () => {
      const reply = await cgi('message/send', appToken, { ...text('Audited'), touser: 'alice|bob' });
      const db = new Client({ connectionString: platform.databases.messaging.url });
      await db.connect();
      try {
        const { rows } = await db.query<{ envelope: Json }>(
          `SELECT envelope FROM platform_outbox WHERE event_type = 'messaging.app_message.sent'`,
        );
        const event = rows.map((r) => r.envelope).find((e) => e.payload.msgid === reply.msgid);
        expect(event?.payload).toMatchObject({
          sender: 'app:1000002',
          type: 'text',
          content: { text: 'Audited' },
          part: 1,
          parts: 1,
          deliveries: expect.arrayContaining([expect.objectContaining({ userid: 'alice' }), expect.objectContaining({ userid: 'bob' })]),
        });
      } finally {
        await db.end();
      }
    });
  });

  describe('message/recall', () => {
    it('recalls every message of a msgid for every recipient, live; only the sending app may', async () => {
      const bob = await TestSocket.open<Frame>(platform.gatewayUrl, tokens.bob);
      sockets.push(bob);
      const sent = await cgi('message/send', appToken, { ...text('Sent by mistake'), touser: 'alice|bob' });
      expect(sent).toMatchObject({ errcode: 0 });
      expect(await textsOf('alice')).toContain('Sent by mistake');

      expect(await cgi('message/recall', tokens.salesApp, { msgid: sent.msgid })).toMatchObject({ errcode: 40058 });
      expect(await cgi('message/recall', appToken, { msgid: sent.msgid })).toEqual({ errcode: 0, errmsg: 'ok' });
      expect(await cgi('message/recall', appToken, { msgid: sent.msgid })).toEqual({ errcode: 0, errmsg: 'ok' });
      expect(await cgi('message/recall', appToken, { msgid: 'no-such-msgid' })).toMatchObject({ errcode: 40058 });

      for (const userid of ['alice', 'bob']) {
        const conversation = await appConversation(userid);
        const last = (await messagesOf(userid, conversation.id as string)).at(-1)!;
        expect(last).toMatchObject({ recalled: true, recalledBy: 'app:1000002', content: null });
      }
      const conversation = await appConversation('bob');
      await eventually(
        () => Promise.resolve(bob.frames),
        (frames) => frames.some((f) => f.type === 'recall' && f.conversationId === conversation.id && f.recalledBy === 'app:1000002'),
        10_000,
        "bob's recall frame",
      );
    });
  });

  describe('appchat', () => {
    it('creates a chat the members see, gets it, and sends into it', async () => {
      const created = await cgi('appchat/create', appToken, {
        name: 'Ops war room',
        owner: 'alice',
        userlist: ['alice', 'bob', 'carol'],
        chatid,
      });
      expect(created).toEqual({ errcode: 0, errmsg: 'ok', chatid });
      expect(await cgi('appchat/get', appToken, undefined, { chatid })).toEqual({
        errcode: 0,
        errmsg: 'ok',
        chat_info: { chatid, name: 'Ops war room', owner: 'alice', userlist: ['alice', 'bob', 'carol'], chat_type: 0 },
      });
      const list = await eventually(
        () => api('GET', '/conversations', tokens.carol),
        (r) => (r.body.conversations as Json[]).some((c) => c.name === 'Ops war room'),
        10_000,
        "carol's chat",
      );
      const group = (list.body.conversations as Json[]).find((c) => c.name === 'Ops war room')!;
      expect(group).toMatchObject({ kind: 'group', owner: 'alice', memberCount: 3 });

      expect(await cgi('appchat/send', appToken, { chatid, msgtype: 'text', text: { content: 'Incident #42 opened' } })).toEqual({
        errcode: 0,
        errmsg: 'ok',
      });
      expect(await messagesOf('carol', group.id as string)).toEqual([
        expect.objectContaining({
          seq: 1,
          sender: 'app:1000002',
          type: 'text',
          content: { text: 'Incident #42 opened', mentions: [], mentionAll: false },
        }),
      ]);
      // A generated chatid when none is given; a taken one is refused.
      const generated = await cgi('appchat/create', appToken, { userlist: ['dave', 'erin'] });
      expect(generated).toMatchObject({ errcode: 0, chatid: expect.stringMatching(/^[0-9a-zA-Z]{1,32}$/) });
      expect((await cgi('appchat/get', appToken, undefined, { chatid: generated.chatid as string })).chat_info.owner).toMatch(
        /^(dave|erin)$/,
      );
      expect(await cgi('appchat/create', appToken, { userlist: ['dave', 'erin'], chatid })).toMatchObject({ errcode: 86215 });
    });

    it('changes name, owner and members; those who leave lose the chat, those who join see what follows', async () => {
      const updated = await cgi('appchat/update', appToken, {
        chatid,
        name: 'Ops room',
        owner: 'bob',
        add_user_list: ['dave'],
        del_user_list: ['carol'],
      });
      expect(updated).toEqual({ errcode: 0, errmsg: 'ok' });
      const info = (await cgi('appchat/get', appToken, undefined, { chatid })).chat_info as Json;
      expect(info).toMatchObject({ name: 'Ops room', owner: 'bob' });
      expect([...(info.userlist as string[])].sort()).toEqual(['alice', 'bob', 'dave']);
      const group = await eventually(
        () => api('GET', '/conversations', tokens.dave),
        (r) => (r.body.conversations as Json[]).some((c) => c.name === 'Ops room'),
        10_000,
        "dave's chat",
      );
      const id = (group.body.conversations as Json[]).find((c) => c.name === 'Ops room')!.id as string;
      expect((await api('GET', `/conversations/${id}`, tokens.carol)).status).toBe(404);
      expect(await cgi('appchat/send', appToken, { chatid, msgtype: 'markdown', markdown: { content: 'Resolved' } })).toMatchObject({
        errcode: 0,
      });
      expect((await messagesOf('dave', id)).map((m) => m.content as Json)).toEqual([{ content: 'Resolved' }]);
      expect(await cgi('appchat/update', appToken, { chatid, del_user_list: ['bob'] })).toMatchObject({ errcode: 86005 });
    });

    it('is reachable only by the app that created it; unknown chats and members are refused', async () => {
      expect(await cgi('appchat/get', tokens.salesApp, undefined, { chatid })).toMatchObject({ errcode: 86008 });
      expect(await cgi('appchat/send', tokens.salesApp, { chatid, msgtype: 'text', text: { content: 'hijack' } })).toMatchObject({
        errcode: 86008,
      });
      expect(await cgi('appchat/update', tokens.salesApp, { chatid, name: 'Mine' })).toMatchObject({ errcode: 86008 });
      expect(await cgi('appchat/get', appToken, undefined, { chatid: 'nosuchchat' })).toMatchObject({ errcode: 86003 });
      expect(await cgi('appchat/create', appToken, { userlist: ['alice'] })).toMatchObject({ errcode: 86006 });
      expect(await cgi('appchat/create', appToken, { userlist: ['alice', 'ghost'] })).toMatchObject({ errcode: 86007 });
      // dave is outside the sales app's visible range.
      expect(await cgi('appchat/create', tokens.salesApp, { userlist: ['alice', 'dave'] })).toMatchObject({ errcode: 86007 });
      expect(await cgi('appchat/send', appToken, { chatid, msgtype: 'template_card', template_card: {} })).toMatchObject({
        errcode: 40008,
      });
    });
  });

  describe('messaging, called directly', () => {
    let messaging: GrpcServiceClient<messagingV1.MessagingServiceClient>;
    const asApp: CallerIdentity = { corpId: '', userId: 'app:1000002', roles: [] };
    const send = (caller: CallerIdentity, userids: string[], body: string) =>
      messaging.call(
        'test',
        (m, md) =>
          m.sendAppMessage(
            {
              userids,
              type: 'text',
              contentJson: JSON.stringify({ text: body }),
              appName: 'Atrium',
              enableDuplicateCheck: false,
              duplicateCheckInterval: 0,
            },
            md,
          ),
        caller,
      );

    beforeAll(() => {
      asApp.corpId = corpAId;
      messaging = new GrpcServiceClient(
        {
          caller: 'test',
          url: platform.grpcUrls.messaging,
          packageName: 'atrium.messaging.v1',
          protoPath: protoPathFor('messaging'),
          identityKey: platform.identityKey,
        },
        messagingV1.MESSAGING_SERVICE_NAME,
      );
    });
    afterAll(() => messaging?.close());

    it('takes app calls from apps only: a member, a super admin or the sync credential is refused', async () => {
      for (const caller of [
        { corpId: corpAId, userId: 'alice', roles: [] },
        { corpId: corpAId, userId: 'admin', roles: [SUPER_ADMIN_ROLE] },
        { corpId: corpAId, userId: 'app:directory-sync', roles: ['directory_sync'] },
      ]) {
        await expect(send(caller, ['bob'], 'spoofed')).rejects.toMatchObject({ code: 'FORBIDDEN', details: { reason: 'NOT_AN_APP' } });
        await expect(
          messaging.call('test', (m, md) => m.createAppChat({ chatid: '', name: 'x', owner: '', userids: ['alice', 'bob'] }, md), caller),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
    });

    it('sends to 2,000 members in a few statements, and concurrent sends to them keep every sequence gap-free', async () => {
      const userids = Array.from({ length: 2_000 }, (_, i) => `bulk${i}`);
      const started = Date.now();
      const first = await send(asApp, userids, 'bulk 1');
      const elapsed = Date.now() - started;
      expect(first).toMatchObject({ duplicate: false, recipientCount: 2_000 });
      // One transaction over arrays, not one per recipient: far below a second per hundred members.
      expect(elapsed).toBeLessThan(20_000);
      await Promise.all([send(asApp, userids.slice(0, 1_500), 'bulk 2'), send(asApp, userids.slice(500), 'bulk 3')]);
      const db = new Client({ connectionString: platform.databases.messaging.url });
      await db.connect();
      try {
        const { rows } = await db.query<{ last_seq: string; n: string; max: string }>(
          `SELECT c.last_seq, count(m.seq) AS n, max(m.seq) AS max FROM conversations c JOIN messages m ON m.corp_id = c.corp_id AND m.conversation_id = c.id
            WHERE c.corp_id = $1 AND c.direct_key LIKE 'app:1000002|bulk%' GROUP BY c.id, c.last_seq`,
          [corpAId],
        );
        expect(rows).toHaveLength(2_000);
        // Members 500-1499 got all three sends, the others two; each conversation's seqs are 1..n.
        expect(rows.filter((r) => r.n === '3')).toHaveLength(1_000);
        expect(rows.every((r) => r.last_seq === r.n && r.max === r.n)).toBe(true);
        const { rows: events } = await db.query<{ parts: number }>(
          `SELECT (envelope->'payload'->>'parts')::int AS parts FROM platform_outbox
            WHERE event_type = 'messaging.app_message.sent' AND envelope->'payload'->>'msgid' = $1`,
          [first.msgid],
        );
        // 2,000 deliveries in parts of 500: four events, not 2,000.
        expect(events).toEqual([{ parts: 4 }, { parts: 4 }, { parts: 4 }, { parts: 4 }]);
      } finally {
        await db.end();
      }
    }, 120_000);
  });

  describe('another corp', () => {
    it("sees none of this corp's members, messages or chats", async () => {
      const created = await api('POST', '/admin/apps', tokens.adminB, { name: 'Bolt app', visibleRange: { departmentIds: [1] } });
      expect(created.body.agentid).toBe(1000002);
      const boltToken = await tokenFor(corpB, created.body.secret as string);
      const sent = await cgi('message/send', appToken, { ...text('Acme only'), touser: 'alice' });
      expect(await cgi('message/send', boltToken, { ...text('hello?'), touser: 'alice' })).toMatchObject({
        errcode: 81013,
        invaliduser: 'alice',
      });
      expect(await cgi('message/recall', boltToken, { msgid: sent.msgid })).toMatchObject({ errcode: 40058 });
      expect(await cgi('appchat/get', boltToken, undefined, { chatid })).toMatchObject({ errcode: 86003 });
      expect(await cgi('appchat/send', boltToken, { chatid, msgtype: 'text', text: { content: 'hi' } })).toMatchObject({ errcode: 86003 });
      expect(await textsOf('alice')).toContain('Acme only');
    });
  });
});
