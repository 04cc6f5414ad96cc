import { createDecipheriv, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { directoryV1, messagingV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, PLATFORM_ADMIN_ROLE, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { eventually, freePort, memberInput, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { startTestPlatform, TestPlatform } from './support/test-platform';
import { TestSocket } from './support/test-socket';

type Json = Record<string, unknown>;

interface CardAnswer {
  card: Json & { mine: Json };
  recorded?: boolean;
}

interface SyncedMessage {
  seq: number;
  clientMsgId: string;
  sender: string;
  type: string;
  cardState?: Json;
}

interface WecomAnswer {
  errcode: number;
  errmsg: string;
  access_token?: string;
  invaliduser?: string[];
}

interface Delivery {
  status: string;
  attempts: number;
  [field: string]: unknown;
}

interface Frame {
  type: string;
  conversationId?: string;
  seq?: number;
  [key: string]: unknown;
}

const cdata = (xml: string, tag: string) =>
  new RegExp(`<${tag}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${tag}>`)
    .exec(xml)
    ?.slice(1)
    .find((v) => v !== undefined);

/**
 * A third-party app's callback endpoint, written from WeCom's documentation (not from Atrium's
 * code): it answers the URL check with the decrypted echostr and decrypts every event it is posted.
 */
class AppReceiver {
  readonly posts: { status: number; plaintext: string; outer: string; query: URLSearchParams }[] = [];
  /** Statuses to answer the next posts with; 200 once it is empty (or always `stuck` while set). */
  answers: number[] = [];
  stuck: number | undefined;
  /** A slow app: each post is answered this late. */
  delayMs = 0;
  private server!: Server;
  url = '';

  constructor(
    private readonly token: string,
    private readonly encodingAesKey: string,
    private readonly corpId: string,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  decrypt(encrypt: string): string {
    const key = Buffer.from(`${this.encodingAesKey}=`, 'base64');
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
    const content = plain.subarray(16, plain.length - plain[plain.length - 1]);
    const length = content.readUInt32BE(0);
    if (content.subarray(4 + length).toString('utf8') !== this.corpId) throw new Error('receiveid is not our corp');
    return content.subarray(4, 4 + length).toString('utf8');
  }

  private signatureOk(query: URLSearchParams, encrypt: string): boolean {
    const expected = createHash('sha1')
      .update([this.token, query.get('timestamp') ?? '', query.get('nonce') ?? '', encrypt].sort().join(''))
      .digest('hex');
    return expected === query.get('msg_signature');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (url.pathname === '/wrong-echo') return void res.end('not the echostr');
    if (req.method === 'GET') {
      const echostr = url.searchParams.get('echostr') ?? '';
      if (!this.signatureOk(url.searchParams, echostr)) return void res.writeHead(403).end('bad signature');
      return void res.end(this.decrypt(echostr));
    }
    const outer = Buffer.concat(chunks).toString('utf8');
    const encrypt = cdata(outer, 'Encrypt') ?? '';
    const status = !this.signatureOk(url.searchParams, encrypt) ? 403 : (this.stuck ?? this.answers.shift() ?? 200);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.posts.push({ status, plaintext: this.decrypt(encrypt), outer, query: url.searchParams });
    res.writeHead(status).end(status === 200 ? 'success' : 'try again');
  }
}

/**
 * Cards end to end: members answer schedules and todos, every viewer sees it live; an app sends a
 * template card, members click, the app hears it on its callback URL (encrypted, retried) and
 * updates the card with the response code it got.
 */
describe('interactive cards and app callbacks', () => {
  let platform: TestPlatform;
  let directory: GrpcServiceClient<directoryV1.DirectoryServiceClient>;
  let messaging: GrpcServiceClient<messagingV1.MessagingServiceClient>;
  const corpCode = `cards-${uniqueSuffix()}`;
  const otherCode = `other-${uniqueSuffix()}`;
  let corpId = '';
  const tokens: Record<string, string> = {};
  const sockets: TestSocket<Frame>[] = [];
  const receivers: AppReceiver[] = [];

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
  };
  const ok = async <T = Json>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await api(token, method, path, body);
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  };
  const group = async (name: string, members: string[]) =>
    (await ok<{ conversation: { id: string } }>(tokens.alice, 'POST', '/api/v1/conversations', { kind: 'group', name, members }))
      .conversation;
  const wecom = async (path: string, body?: unknown) => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as WecomAnswer;
  };
  const login = async (corp: string, userid: string) => {
    const res = await fetch(`${platform.gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corp, account: userid, password: `${userid}-password` }),
    });
    return ((await res.json()) as { accessToken: string }).accessToken;
  };
  const socket = async (userid: string) => {
    const s = await TestSocket.open<Frame>(platform.gatewayUrl, tokens[userid]);
    sockets.push(s);
    return s;
  };
  const createCorp = async (code: string, admin: string, members: string[]) => {
    const operator: CallerIdentity = { corpId: '', userId: 'operator', roles: [PLATFORM_ADMIN_ROLE] };
    const { corp } = await directory.call(
      'CreateCorp',
      (d, md) => d.createCorp({ code, name: code, adminUserid: admin, adminName: admin, adminPassword: `${admin}-password` }, md),
      operator,
    );
    for (const userid of members) {
      await directory.call(
        'CreateMember',
        (d, md) =>
          d.createMember({ member: memberInput(userid, [1], { email: `${userid}@${code}.test`, password: `${userid}-password` }) }, md),
        { corpId: corp!.id, userId: admin, roles: [SUPER_ADMIN_ROLE] },
      );
    }
    return corp!.id;
  };
  const sendCard = async (sender: string, conversationId: string, type: string, content: Json) =>
    (
      await ok<{ message: SyncedMessage }>(tokens[sender], 'POST', `/api/v1/conversations/${conversationId}/messages`, {
        clientMsgId: `c-${uniqueSuffix()}`,
        type,
        content,
      })
    ).message;
  const cardPath = (conversationId: string, seq: number, action = '') =>
    `/api/v1/conversations/${conversationId}/messages/${seq}/card${action}`;

  beforeAll(async () => {
    platform = await startTestPlatform({
      gatewayOverrides: {
        // The receivers run on loopback; production refuses private addresses (SSRF).
        ATRIUM_CALLBACKS_ALLOW_PRIVATE_NETWORKS: 'true',
        ATRIUM_CALLBACKS_RETRY_BASE_MS: 150,
        ATRIUM_CALLBACKS_POLL_MS: 50,
        ATRIUM_CALLBACKS_MAX_ATTEMPTS: 5,
        ATRIUM_CALLBACKS_TIMEOUT_MS: 2_000,
      },
    });
    const common = { caller: 'test', identityKey: platform.identityKey };
    directory = new GrpcServiceClient(
      { ...common, url: platform.grpcUrls.directory, packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory') },
      directoryV1.DIRECTORY_SERVICE_NAME,
    );
    messaging = new GrpcServiceClient(
      { ...common, url: platform.grpcUrls.messaging, packageName: 'atrium.messaging.v1', protoPath: protoPathFor('messaging') },
      messagingV1.MESSAGING_SERVICE_NAME,
    );
    corpId = await createCorp(corpCode, 'admin', ['alice', 'bob', 'carol', 'dave', 'erin']);
    await createCorp(otherCode, 'boss', ['mallory']);
    for (const userid of ['admin', 'alice', 'bob', 'carol', 'dave', 'erin']) tokens[userid] = await login(corpCode, userid);
    tokens.mallory = await login(otherCode, 'mallory');
  }, 180_000);

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await Promise.all(receivers.map((r) => r.stop()));
    await directory?.close();
    await messaging?.close();
    await platform?.teardown();
  });

  it('lets attendees answer a schedule card, shows every viewer the answers live, and refuses non-attendees', async () => {
    const conversation = await group('Planning', ['bob', 'carol', 'dave']);
    const [aliceWs, daveWs] = [await socket('alice'), await socket('dave')];
    const card = await sendCard('alice', conversation.id, 'schedule_card', {
      title: 'Quarterly review',
      startsAt: '2030-01-10T09:00:00+08:00',
      endsAt: '2030-01-10T10:00:00+08:00',
      attendees: ['alice', 'bob', 'carol'],
    });

    const bob = await ok<CardAnswer>(tokens.bob, 'POST', cardPath(conversation.id, card.seq, '/schedule'), { response: 'accepted' });
    expect(bob.card).toMatchObject({ cardType: 'schedule_card', mine: { attendee: true, response: 'accepted' } });
    const carol = await ok<CardAnswer>(tokens.carol, 'POST', cardPath(conversation.id, card.seq, '/schedule'), { response: 'declined' });
    expect(carol.card.counts).toEqual({ accepted: 1, declined: 1, tentative: 0, pending: 1 });

    for (const ws of [aliceWs, daveWs]) {
      const frames = await eventually(
        () => ws.of('card', conversation.id, card.seq),
        (f) => f.length === 2,
        10_000,
        'two card frames',
      );
      expect(frames.map((f) => [f.change, f.actor])).toEqual([
        ['schedule_response', 'bob'],
        ['schedule_response', 'carol'],
      ]);
      expect(frames[1].state).toMatchObject({
        version: 2,
        counts: { accepted: 1, declined: 1, pending: 1 },
        responses: { bob: { response: 'accepted' } },
      });
    }

    const refused = await api(tokens.dave, 'POST', cardPath(conversation.id, card.seq, '/schedule'), { response: 'accepted' });
    expect(refused).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', details: { reason: 'NOT_AN_ATTENDEE' } } });
    expect((await api(tokens.erin, 'GET', cardPath(conversation.id, card.seq))).status).toBe(404);
    expect((await api(tokens.bob, 'POST', cardPath(conversation.id, card.seq, '/schedule'), { response: 'maybe' })).status).toBe(400);

    // Sync carries the state with the message, as the caller sees it.
    const synced = await ok<{ messages: SyncedMessage[] }>(
      tokens.dave,
      'GET',
      `/api/v1/conversations/${conversation.id}/messages?afterSeq=0`,
    );
    const withState = synced.messages.find((m) => m.seq === card.seq)!;
    expect(withState.cardState).toMatchObject({
      counts: { accepted: 1, declined: 1, pending: 1 },
      mine: { attendee: false, response: null },
    });
  });

  it('marks a todo card done per assignee; its sender may mark it for everyone', async () => {
    const conversation = await group('Chores', ['bob', 'carol', 'dave']);
    const card = await sendCard('alice', conversation.id, 'todo_card', { title: 'Submit expenses', assignees: ['bob', 'carol'] });

    const bob = await ok<CardAnswer>(tokens.bob, 'POST', cardPath(conversation.id, card.seq, '/todo'), { done: true });
    expect(bob.card).toMatchObject({
      doneCount: 1,
      total: 2,
      mine: { assignee: true, done: true },
      assignees: { bob: { done: true, by: 'bob' }, carol: { done: false } },
    });
    expect(await api(tokens.dave, 'POST', cardPath(conversation.id, card.seq, '/todo'), { done: true })).toMatchObject({
      status: 403,
      body: { details: { reason: 'NOT_AN_ASSIGNEE' } },
    });
    expect(await api(tokens.bob, 'POST', cardPath(conversation.id, card.seq, '/todo'), { done: true, forAll: true })).toMatchObject({
      status: 403,
      body: { details: { reason: 'NOT_THE_SENDER' } },
    });
    const all = await ok<CardAnswer>(tokens.alice, 'POST', cardPath(conversation.id, card.seq, '/todo'), { done: true, forAll: true });
    expect(all.card).toMatchObject({ doneCount: 2, assignees: { carol: { done: true, by: 'alice' } } });
    const undone = await ok<CardAnswer>(tokens.carol, 'POST', cardPath(conversation.id, card.seq, '/todo'), { done: false });
    expect(undone.card).toMatchObject({ doneCount: 1, mine: { done: false } });
    const state = await ok<CardAnswer>(tokens.dave, 'GET', cardPath(conversation.id, card.seq));
    expect(state.card).toMatchObject({ version: 3, doneCount: 1, mine: { assignee: false } });
  });

  describe('template cards of an app', () => {
    let agentid = 0;
    let accessToken = '';
    let receiver: AppReceiver;
    const token = 'cardsToken42';
    const encodingAesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const cardContent = {
      title: 'Leave request',
      description: 'bob: 2 days',
      buttons: [
        { key: 'approve', text: '同意' },
        { key: 'reject', text: '驳回' },
      ],
      taskId: 'task-42',
    };
    const appCaller = (): CallerIdentity => ({ corpId, userId: `app:${agentid}`, roles: [] });
    const sendAsApp = (userids: string[], content: Json = cardContent) =>
      messaging.call(
        'SendAppMessage',
        (m, md) =>
          m.sendAppMessage(
            {
              userids,
              type: 'template_card',
              contentJson: JSON.stringify(content),
              appName: 'Leave',
              enableDuplicateCheck: false,
              duplicateCheckInterval: 0,
            },
            md,
          ),
        appCaller(),
      );
    /** The member's own app conversation and the card in it. */
    const cardOf = async (userid: string, msgid: string) =>
      eventually(
        async () => {
          const { conversations } = await ok<{ conversations: { id: string }[] }>(tokens[userid], 'GET', '/api/v1/conversations');
          for (const c of conversations) {
            const { messages } = await ok<{ messages: SyncedMessage[] }>(
              tokens[userid],
              'GET',
              `/api/v1/conversations/${c.id}/messages?afterSeq=0`,
            );
            const found = messages.find((m) => m.clientMsgId === msgid);
            if (found) return { conversationId: c.id, seq: found.seq, message: found };
          }
          return undefined;
        },
        Boolean,
        10_000,
        `${userid}'s card`,
      ) as Promise<{ conversationId: string; seq: number; message: SyncedMessage }>;
    const deliveries = async (status?: string) =>
      (
        await ok<{ deliveries: Delivery[] }>(
          tokens.admin,
          'GET',
          `/api/v1/admin/callback-deliveries?agentid=${agentid}${status ? `&status=${status}` : ''}`,
        )
      ).deliveries;

    beforeAll(async () => {
      const app = await ok<{ agentid: number; secret: string }>(tokens.admin, 'POST', '/api/v1/admin/apps', { name: 'Leave' });
      agentid = app.agentid;
      receiver = new AppReceiver(token, encodingAesKey, corpId);
      await receiver.start();
      receivers.push(receiver);
      const got = await eventually(
        () => wecom(`/cgi-bin/gettoken?corpid=${corpId}&corpsecret=${app.secret}`),
        (r) => r.errcode === 0,
        15_000,
        'gettoken',
      );
      accessToken = got.access_token ?? '';
    });

    it('saves a callback URL only after it passes the URL check', async () => {
      const wrong = await api(tokens.admin, 'PUT', `/api/v1/admin/apps/${agentid}/callback`, {
        url: `${receiver.url}/wrong-echo`,
        token,
        encodingAesKey,
      });
      expect(wrong).toMatchObject({ status: 412, body: { code: 'PRECONDITION_FAILED', details: { reason: 'CALLBACK_URL_CHECK_FAILED' } } });
      // Nobody listens there: the admin reads a stable sentence, not the gateway's connection error.
      const unreachable = await api(tokens.admin, 'PUT', `/api/v1/admin/apps/${agentid}/callback`, {
        url: `http://127.0.0.1:${await freePort()}/wecom`,
        token,
        encodingAesKey,
      });
      expect(unreachable).toMatchObject({
        status: 412,
        body: { code: 'PRECONDITION_FAILED', message: 'the URL check failed: the url could not be reached' },
      });
      expect(JSON.stringify(unreachable.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      expect((await api(tokens.admin, 'GET', `/api/v1/admin/apps/${agentid}/callback`)).status).toBe(404);
      expect(
        await api(tokens.admin, 'PUT', `/api/v1/admin/apps/${agentid}/callback`, { url: 'ftp://example.com/x', token, encodingAesKey }),
      ).toMatchObject({
        status: 400,
        body: { details: { reason: 'CALLBACK_URL_INVALID' } },
      });
      expect(
        (await api(tokens.alice, 'PUT', `/api/v1/admin/apps/${agentid}/callback`, { url: `${receiver.url}/wecom`, token, encodingAesKey }))
          .status,
      ).toBe(403);

      const saved = await ok(tokens.admin, 'PUT', `/api/v1/admin/apps/${agentid}/callback`, {
        url: `${receiver.url}/wecom`,
        token,
        encodingAesKey,
      });
      expect(saved).toMatchObject({ agentid, url: `${receiver.url}/wecom`, updatedBy: 'admin' });
      expect(await ok(tokens.admin, 'GET', `/api/v1/admin/apps/${agentid}/callback`)).toEqual(saved);
    });

    it('delivers a click to the app encrypted, retrying until it answers 200, and lets the app update the card live', async () => {
      const [bobWs, carolWs] = [await socket('bob'), await socket('carol')];
      const sent = await sendAsApp(['bob', 'carol', 'dave']);
      expect(sent.responseCode).not.toBe('');
      const bob = await cardOf('bob', sent.msgid);
      const carol = await cardOf('carol', sent.msgid);
      const dave = await cardOf('dave', sent.msgid);
      expect(bob.message).toMatchObject({
        sender: `app:${agentid}`,
        type: 'template_card',
        cardState: { clickCounts: {}, mine: { clicked: null } },
      });

      receiver.answers = [500, 500];
      const clicked = await ok<CardAnswer>(tokens.bob, 'POST', cardPath(bob.conversationId, bob.seq, '/click'), { key: 'approve' });
      expect(clicked).toMatchObject({ recorded: true, card: { clickCounts: { approve: 1 }, mine: { clicked: { key: 'approve' } } } });
      expect(await ok<CardAnswer>(tokens.bob, 'POST', cardPath(bob.conversationId, bob.seq, '/click'), { key: 'approve' })).toMatchObject({
        recorded: false,
      });
      expect(await api(tokens.bob, 'POST', cardPath(bob.conversationId, bob.seq, '/click'), { key: 'reject' })).toMatchObject({
        status: 409,
        body: { details: { reason: 'ALREADY_CLICKED', key: 'approve' } },
      });
      expect((await api(tokens.bob, 'POST', cardPath(bob.conversationId, bob.seq, '/click'), { key: 'nope' })).status).toBe(400);
      expect((await api(tokens.mallory, 'POST', cardPath(bob.conversationId, bob.seq, '/click'), { key: 'approve' })).status).toBe(404);
      expect((await api(tokens.carol, 'POST', cardPath(bob.conversationId, bob.seq, '/click'), { key: 'approve' })).status).toBe(404);

      // Answered 500 twice, then 200: delivered once, after three tries.
      const [delivered] = await eventually(
        () => deliveries('delivered'),
        (d) => d.length === 1,
        20_000,
        'the delivery',
      );
      expect(delivered).toMatchObject({ eventType: 'template_card_event', attempts: 3, lastStatus: 200, status: 'delivered' });
      expect(receiver.posts.map((p) => p.status)).toEqual([500, 500, 200]);
      const post = receiver.posts[2];
      expect(cdata(post.outer, 'ToUserName')).toBe(corpId);
      expect(cdata(post.outer, 'AgentID')).toBe(String(agentid));
      const event = post.plaintext;
      expect({
        ToUserName: cdata(event, 'ToUserName'),
        FromUserName: cdata(event, 'FromUserName'),
        MsgType: cdata(event, 'MsgType'),
        Event: cdata(event, 'Event'),
        EventKey: cdata(event, 'EventKey'),
        TaskId: cdata(event, 'TaskId'),
        CardType: cdata(event, 'CardType'),
        AgentID: cdata(event, 'AgentID'),
      }).toEqual({
        ToUserName: corpId,
        FromUserName: 'bob',
        MsgType: 'event',
        Event: 'template_card_event',
        EventKey: 'approve',
        TaskId: 'task-42',
        CardType: 'button_interaction',
        AgentID: String(agentid),
      });
      expect(Math.abs(Number(cdata(event, 'CreateTime')) - Date.now() / 1000)).toBeLessThan(60);
      const clickCode = cdata(event, 'ResponseCode')!;
      expect(clickCode).toMatch(/^[A-Za-z0-9_-]{20,}$/);

      // The app spends the click's code: every recipient's buttons become "已同意", live.
      const updated = await wecom(`/cgi-bin/message/update_template_card?access_token=${accessToken}`, {
        atall: 1,
        agentid,
        response_code: clickCode,
        button: { replace_name: '已同意' },
      });
      expect(updated).toMatchObject({ errcode: 0, invaliduser: [] });
      for (const [ws, card] of [
        [bobWs, bob],
        [carolWs, carol],
      ] as const) {
        const frame = await eventually(
          () => ws.of('card', card.conversationId, card.seq).find((f) => f.change === 'template_updated'),
          Boolean,
          10_000,
          'the update frame',
        );
        expect(frame).toMatchObject({ actor: `app:${agentid}`, state: { appState: { replaceName: '已同意' } } });
      }
      expect((await ok<CardAnswer>(tokens.carol, 'GET', cardPath(carol.conversationId, carol.seq))).card.mine).toMatchObject({
        appState: { replaceName: '已同意' },
        buttons: [],
      });
      expect(await api(tokens.dave, 'POST', cardPath(dave.conversationId, dave.seq, '/click'), { key: 'reject' })).toMatchObject({
        status: 412,
        body: { details: { reason: 'CARD_BUTTONS_CLOSED' } },
      });

      // A code is spent once; an unknown one is refused too.
      const again = await wecom(`/cgi-bin/message/update_template_card?access_token=${accessToken}`, {
        atall: 1,
        agentid,
        response_code: clickCode,
        button: { replace_name: 'again' },
      });
      expect(again).toMatchObject({ errcode: 40058, errmsg: expect.stringContaining('response_code has been used') });
      const unknown = await wecom(`/cgi-bin/message/update_template_card?access_token=${accessToken}`, {
        atall: 1,
        agentid,
        response_code: 'no-such-code',
        button: { replace_name: 'x' },
      });
      expect(unknown).toMatchObject({ errcode: 40058, errmsg: expect.stringContaining('invalid response_code') });
      expect(
        await wecom(`/cgi-bin/message/update_template_card?access_token=${accessToken}`, {
          atall: 1,
          agentid: agentid + 1,
          response_code: sent.responseCode,
          button: { replace_name: 'x' },
        }),
      ).toMatchObject({ errcode: 40056 });

      // The send's code replaces carol's card alone with a new one.
      const replaced = await wecom(`/cgi-bin/message/update_template_card?access_token=${accessToken}`, {
        userids: ['carol', 'erin'],
        agentid,
        response_code: sent.responseCode,
        template_card: {
          card_type: 'button_interaction',
          main_title: { title: 'Leave request (revised)', desc: '1 day' },
          button_list: [{ text: '确认', key: 'confirm' }],
          task_id: 'task-42',
        },
      });
      expect(replaced).toMatchObject({ errcode: 0, invaliduser: ['erin'] });
      const carolFrame = await eventually(
        () => carolWs.of('card', carol.conversationId, carol.seq).filter((f) => f.change === 'template_updated'),
        (f) => f.length === 2,
        10_000,
        "carol's second update",
      );
      expect(carolFrame[1]).toMatchObject({
        userids: ['carol'],
        override: { card: { title: 'Leave request (revised)', buttons: [{ key: 'confirm' }] } },
      });
      const carolState = (await ok<CardAnswer>(tokens.carol, 'GET', cardPath(carol.conversationId, carol.seq))).card;
      expect(carolState.mine.buttons).toEqual([{ key: 'confirm', text: '确认' }]);
      expect((await ok<CardAnswer>(tokens.bob, 'GET', cardPath(bob.conversationId, bob.seq))).card.mine.appState).toEqual({
        replaceName: '已同意',
      });
      expect(
        await ok<CardAnswer>(tokens.carol, 'POST', cardPath(carol.conversationId, carol.seq, '/click'), { key: 'confirm' }),
      ).toMatchObject({
        recorded: true,
      });
      await eventually(
        () => receiver.posts.filter((p) => p.status === 200).length,
        (n) => n === 2,
        10_000,
        "carol's click delivered",
      );
      expect(cdata(receiver.posts[receiver.posts.length - 1].plaintext, 'EventKey')).toBe('confirm');
    });

    it('refuses a response_code past its 72 hours', async () => {
      const sent = await sendAsApp(['bob']);
      const db = new Client({ connectionString: platform.databases.messaging.url });
      await db.connect();
      try {
        // Three days and a second later, as far as the code is concerned.
        await db.query(`UPDATE card_response_codes SET expires_at = now() - interval '1 second' WHERE corp_id = $1 AND code = $2`, [
          corpId,
          sent.responseCode,
        ]);
      } finally {
        await db.end();
      }
      const expired = await wecom(`/cgi-bin/message/update_template_card?access_token=${accessToken}`, {
        atall: 1,
        agentid,
        response_code: sent.responseCode,
        button: { replace_name: 'late' },
      });
      expect(expired).toMatchObject({ errcode: 40058, errmsg: expect.stringContaining('response_code expired') });
      const bob = await cardOf('bob', sent.msgid);
      expect((await ok<CardAnswer>(tokens.bob, 'GET', cardPath(bob.conversationId, bob.seq))).card.appState).toBeNull();
    });

    it('records a delivery that never succeeds, without holding up another app', async () => {
      const other = await ok<{ agentid: number; secret: string }>(tokens.admin, 'POST', '/api/v1/admin/apps', { name: 'Expenses' });
      const otherReceiver = new AppReceiver(token, encodingAesKey, corpId);
      await otherReceiver.start();
      receivers.push(otherReceiver);
      await ok(tokens.admin, 'PUT', `/api/v1/admin/apps/${other.agentid}/callback`, {
        url: `${otherReceiver.url}/cb`,
        token,
        encodingAesKey,
      });

      // A slow app that always fails: five tries of 1.2 s each, with back-off in between.
      receiver.stuck = 503;
      receiver.delayMs = 1_200;
      const failing = await sendAsApp(['erin']);
      const erinCard = await cardOf('erin', failing.msgid);
      await ok<CardAnswer>(tokens.erin, 'POST', cardPath(erinCard.conversationId, erinCard.seq, '/click'), { key: 'reject' });
      await eventually(
        async () => (await deliveries('pending'))[0]?.attempts ?? 0,
        (n) => n >= 1,
        10_000,
        'the first try',
      );

      const otherSent = await messaging.call(
        'SendAppMessage',
        (m, md) =>
          m.sendAppMessage(
            {
              userids: ['erin'],
              type: 'template_card',
              contentJson: JSON.stringify(cardContent),
              appName: 'Expenses',
              enableDuplicateCheck: false,
              duplicateCheckInterval: 0,
            },
            md,
          ),
        { corpId, userId: `app:${other.agentid}`, roles: [] },
      );
      const otherCard = await cardOf('erin', otherSent.msgid);
      await ok<CardAnswer>(tokens.erin, 'POST', cardPath(otherCard.conversationId, otherCard.seq, '/click'), { key: 'approve' });
      await eventually(
        () => otherReceiver.posts.length,
        (n) => n === 1,
        10_000,
        "the other app's delivery",
      );
      expect(otherReceiver.posts[0].status).toBe(200);
      // The first app's delivery is still being retried while the other app's went through.
      expect(await deliveries('pending')).toHaveLength(1);

      const [failed] = await eventually(
        () => deliveries('failed'),
        (d) => d.length === 1,
        30_000,
        'the failed delivery',
      );
      expect(failed).toMatchObject({ attempts: 5, lastStatus: 503, lastError: expect.stringContaining('HTTP 503'), nextAttemptAt: null });
      expect(receiver.posts.filter((p) => p.status === 503)).toHaveLength(5);
      expect(cdata(receiver.posts[receiver.posts.length - 1].plaintext, 'FromUserName')).toBe('erin');
    });
  });
});
