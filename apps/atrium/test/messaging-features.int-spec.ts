import { messagingV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { BurnService, RetentionService } from '@atrium/service-messaging';
import { eventually, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { createCorp } from '../src/corp-admin';
import { HttpApi } from './support/http-api';
import { startTestPlatform, TestPlatform } from './support/test-platform';
import { TestSocket } from './support/test-socket';

// Response bodies are free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface Reply {
  status: number;
  body: Json;
}

const HOUR_MS = 3_600_000;

/**
 * Burn after reading, screenshot notices, forwarding under the corp's file policy, message
 * retention and department groups, end to end through REST and WebSocket on the whole platform.
 */
describe('messaging features', () => {
  let platform: TestPlatform;
  let messaging: GrpcServiceClient<messagingV1.MessagingServiceClient>;
  const sockets: TestSocket[] = [];
  const corpA = `feat-a-${uniqueSuffix()}`;
  const corpB = `feat-b-${uniqueSuffix()}`;
  const password = 'features-password';
  let corpAId = '';
  let corpBId = '';
  const tokens: Record<string, string> = {};
  let adminB = '';
  const departments: Record<string, number> = {};

  const http = new HttpApi(() => platform.gatewayUrl);
  const call = async (method: string, path: string, token: string, body?: unknown): Promise<Reply> => {
    const reply = await http.call(method, `/api/v1${path}`, { token, body });
    return { status: reply.status, body: reply.body };
  };
  /** A call that must succeed; its body. */
  const ok = (method: string, path: string, token: string, body?: unknown) => http.ok(method, `/api/v1${path}`, { token, body });
  const login = (corp: string, account: string) => http.login(corp, account, password);
  const createMember = (token: string, userid: string, departmentIds: number[]) =>
    ok('POST', '/directory/members', token, {
      userid,
      name: userid,
      email: `${userid}@features.test`,
      departments: departmentIds.map((departmentId) => ({ departmentId })),
      password,
    });
  const group = async (token: string, members: string[], name = 'group') =>
    (await ok('POST', '/conversations', token, { kind: 'group', name, members })).conversation.id as string;
  const direct = async (token: string, other: string) =>
    (await ok('POST', '/conversations', token, { kind: 'direct', members: [other] })).conversation.id as string;
  const send = async (token: string, conversationId: string, clientMsgId: string, type: string, content: Json, extra: Json = {}) =>
    (await ok('POST', `/conversations/${conversationId}/messages`, token, { clientMsgId, type, content, ...extra })).message as Json;
  const sync = async (token: string, conversationId: string, afterSeq = 0) =>
    ok('GET', `/conversations/${conversationId}/messages?afterSeq=${afterSeq}&limit=500`, token);
  const members = async (token: string, conversationId: string) =>
    ((await ok('GET', `/conversations/${conversationId}/members?pageSize=2000`, token)).members as Json[])
      .map((m) => m.userid as string)
      .sort();
  const setPolicy = async (corpId: string, patch: Partial<messagingV1.CorpPolicy>) => {
    const admin: CallerIdentity = { corpId, userId: 'admin', roles: [SUPER_ADMIN_ROLE] };
    const { policy } = await messaging.call('GetCorpPolicy', (m, md) => m.getCorpPolicy({}, md), admin);
    return (await messaging.call('SetCorpPolicy', (m, md) => m.setCorpPolicy({ policy: { ...policy!, ...patch } }, md), admin)).policy!;
  };
  /** Events the messaging service wrote to its outbox (kept an hour after the relay published them). */
  const outbox = async (eventType: string): Promise<Json[]> => {
    const db = new Client({ connectionString: platform.databases.messaging.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ envelope: Json | string }>(
        `SELECT envelope FROM platform_outbox WHERE event_type = $1 ORDER BY seq`,
        [eventType],
      );
      return rows.map((r) => (typeof r.envelope === 'string' ? (JSON.parse(r.envelope) as Json) : r.envelope));
    } finally {
      await db.end();
    }
  };
  const messagingDb = async <T>(work: (db: Client) => Promise<T>): Promise<T> => {
    const db = new Client({ connectionString: platform.databases.messaging.url });
    await db.connect();
    try {
      return await work(db);
    } finally {
      await db.end();
    }
  };
  const socketOf = async (userid: string) => {
    const socket = await TestSocket.open(platform.gatewayUrl, tokens[userid], { terminateOnClose: true });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
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
    corpAId = (
      await createCorp(platform.grpcUrls.directory, platform.identityKey, {
        code: corpA,
        name: 'Features A',
        adminUserid: 'admin',
        adminPassword: password,
      })
    ).corp!.id;
    corpBId = (
      await createCorp(platform.grpcUrls.directory, platform.identityKey, {
        code: corpB,
        name: 'Features B',
        adminUserid: 'admin',
        adminPassword: password,
      })
    ).corp!.id;
    tokens.admin = await login(corpA, 'admin');
    adminB = await login(corpB, 'admin');
    // Sales > North, and Ops, under the root department (1).
    departments.sales = (await ok('POST', '/directory/departments', tokens.admin, { parentId: 1, name: 'Sales' })).id as number;
    departments.north = (await ok('POST', '/directory/departments', tokens.admin, { parentId: departments.sales, name: 'North' }))
      .id as number;
    departments.ops = (await ok('POST', '/directory/departments', tokens.admin, { parentId: 1, name: 'Ops' })).id as number;
    const placement: Record<string, number[]> = {
      alice: [departments.sales],
      bob: [departments.sales],
      carol: [departments.ops],
      dave: [departments.north],
      erin: [departments.sales],
    };
    for (const [userid, ids] of Object.entries(placement)) {
      await createMember(tokens.admin, userid, ids);
      tokens[userid] = await login(corpA, userid);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await messaging?.close();
    await platform?.teardown();
  }, 120_000);

  it('documents the endpoints in OpenAPI', async () => {
    const doc = (await (await fetch(`${platform.gatewayUrl}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/conversations/{id}/screenshots', '/api/v1/conversations/{id}/forward', '/api/v1/department-groups']),
    );
  });

  describe('burn after reading', () => {
    it('is refused in a group with a clear code', async () => {
      const groupId = await group(tokens.alice, ['bob', 'carol']);
      const refused = await call('POST', `/conversations/${groupId}/messages`, tokens.alice, {
        clientMsgId: 'burn-in-group',
        type: 'text',
        content: { text: 'secret' },
        burnAfterReading: true,
      });
      expect(refused.status).toBe(412);
      expect(refused.body).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'BURN_AFTER_READING_DIRECT_ONLY' } });
    });

    it('is gone for the recipient once read (on their other devices too), stays for the sender until the TTL purges it for everyone', async () => {
      const chat = await direct(tokens.alice, 'bob');
      const aliceSocket = await socketOf('alice');
      const bobSocket = await socketOf('bob');
      const sent = await send(tokens.alice, chat, 'burn-1', 'text', { text: 'the launch code is 0000' }, { burnAfterReading: true });
      expect(sent).toMatchObject({ burnAfterReading: true, burnt: false, archiveNotice: 'This chat is archived by your company.' });
      const after = await send(tokens.alice, chat, 'plain-1', 'text', { text: 'an ordinary message' });

      // Before reading, the recipient sees it (with the corp's archive notice).
      const unread = (await sync(tokens.bob, chat)).messages as Json[];
      expect(unread.find((m) => m.seq === sent.seq)).toMatchObject({
        burnAfterReading: true,
        burnt: false,
        content: { text: 'the launch code is 0000' },
        archiveNotice: 'This chat is archived by your company.',
      });

      await ok('POST', `/conversations/${chat}/read`, tokens.bob, { seq: after.seq });
      await eventually(
        () => bobSocket.of('burn', chat),
        (frames) => frames.length > 0,
        5_000,
        "the recipient's burn frame",
      );
      expect(bobSocket.of('burn', chat)).toEqual([{ type: 'burn', conversationId: chat, seqs: [sent.seq], scope: 'reader' }]);
      const read = (await sync(tokens.bob, chat)).messages as Json[];
      expect(read.find((m) => m.seq === sent.seq)).toMatchObject({ burnAfterReading: true, burnt: true, content: null });
      expect(read.find((m) => m.seq === after.seq)).toMatchObject({ burnt: false, content: { text: 'an ordinary message' } });
      // The sender still has it, and their devices heard no burn.
      const senderView = (await sync(tokens.alice, chat)).messages as Json[];
      expect(senderView.find((m) => m.seq === sent.seq)).toMatchObject({ burnt: false, content: { text: 'the launch code is 0000' } });
      expect(aliceSocket.of('burn', chat)).toEqual([]);
      // Replying moves the recipient's cursor past the next one too: burnt on their devices as well.
      const second = await send(tokens.alice, chat, 'burn-2', 'text', { text: 'second secret' }, { burnAfterReading: true });
      const reply = await send(tokens.bob, chat, 'reply-1', 'text', { text: 'got it' });
      await eventually(
        () => bobSocket.of('burn', chat).flatMap((f) => f.seqs as number[]),
        (seqs) => seqs.includes(second.seq as number),
        5_000,
        'the burn frame after a reply',
      );
      expect(
        ((await sync(tokens.bob, chat, after.seq as number)).messages as Json[]).map((m): unknown[] => [m.seq, m.burnt, m.content]),
      ).toEqual([
        [second.seq, true, null],
        [reply.seq, false, reply.content],
      ]);

      // The archive still gets the content: messaging.message.sent carried it, flagged.
      const archived = (await outbox('messaging.message.sent')).find((e) => e.payload.message.id === sent.id);
      expect(archived?.payload.message).toMatchObject({ burnAfterReading: true, content: { text: 'the launch code is 0000' } });

      // Within the TTL nothing is purged; past it (injected clock) the content leaves the database.
      const burn = platform.services.messaging.app.get(BurnService);
      expect(await burn.purge(new Date(Date.now() + HOUR_MS))).toBe(0);
      expect(await burn.purge(new Date(Date.now() + 25 * HOUR_MS))).toBe(2);
      const purged = (await sync(tokens.alice, chat)).messages as Json[];
      expect(purged.find((m) => m.seq === sent.seq)).toMatchObject({ burnt: true, content: null });
      const stored = await messagingDb((db) =>
        db.query<{ content: Json; burnt_at: Date | null }>(`SELECT content, burnt_at FROM messages WHERE id = $1`, [sent.id]),
      );
      expect(stored.rows[0]).toMatchObject({ content: {}, burnt_at: expect.any(Date) });
      expect((await outbox('messaging.message.burnt')).map((e) => e.payload as Json)).toEqual([
        expect.objectContaining({ messageId: sent.id, seq: sent.seq, sender: 'alice', conversationId: chat }),
        expect.objectContaining({ messageId: second.id, seq: second.seq, sender: 'alice', conversationId: chat }),
      ]);
      await eventually(
        () => aliceSocket.of('burn', chat),
        (frames) => frames.length > 0,
        5_000,
        "the sender's purge frame",
      );
      expect(aliceSocket.of('burn', chat)).toEqual([
        { type: 'burn', conversationId: chat, seqs: [sent.seq, second.seq], scope: 'everyone' },
      ]);
      // A second round finds nothing left.
      expect(await burn.purge(new Date(Date.now() + 25 * HOUR_MS))).toBe(0);
    });
  });

  describe('screenshot notices', () => {
    it('become system messages in sequence order, once per 10 seconds per member, idempotent by client id', async () => {
      const groupId = await group(tokens.alice, ['bob', 'carol']);
      const carolSocket = await socketOf('carol');
      const first = await send(tokens.alice, groupId, 'before', 'text', { text: 'look at this' });
      const shot = await ok('POST', `/conversations/${groupId}/screenshots`, tokens.bob, { clientMsgId: 'shot-1' });
      expect(shot).toMatchObject({
        created: true,
        message: { seq: first.seq + 1, type: 'system', sender: 'bob', content: { event: 'screenshot', userid: 'bob' } },
      });
      const last = await send(tokens.alice, groupId, 'after', 'text', { text: 'hey, no screenshots' });
      const messages = (await sync(tokens.carol, groupId)).messages as Json[];
      expect(messages.map((m) => [m.seq as number, m.type as string])).toEqual([
        [first.seq, 'text'],
        [first.seq + 1, 'system'],
        [last.seq, 'text'],
      ]);
      expect(last.seq).toBe(first.seq + 2);
      await eventually(
        () => carolSocket.of('message', groupId).map((f) => f.message.type as string),
        (types) => types.includes('system'),
        5_000,
        'the notice over WebSocket',
      );

      // A retry returns the original; a new notice within 10 s is refused; another member is not limited.
      const retry = await ok('POST', `/conversations/${groupId}/screenshots`, tokens.bob, { clientMsgId: 'shot-1' });
      expect(retry).toEqual({ created: false, message: shot.message });
      const limited = await call('POST', `/conversations/${groupId}/screenshots`, tokens.bob, { clientMsgId: 'shot-2' });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      expect((await ok('POST', `/conversations/${groupId}/screenshots`, tokens.carol, { clientMsgId: 'shot-c' })).created).toBe(true);
      // Ten seconds later (the last notice moved back in time) bob may report again.
      await messagingDb((db) =>
        db.query(`UPDATE screenshot_notices SET last_at = last_at - interval '11 seconds' WHERE conversation_id = $1 AND userid = 'bob'`, [
          groupId,
        ]),
      );
      expect((await ok('POST', `/conversations/${groupId}/screenshots`, tokens.bob, { clientMsgId: 'shot-2' })).message.seq).toBe(
        last.seq + 2,
      );
      // Clients cannot forge one.
      const forged = await call('POST', `/conversations/${groupId}/messages`, tokens.bob, {
        clientMsgId: 'forged',
        type: 'system',
        content: { event: 'screenshot', userid: 'carol' },
      });
      expect(forged.status).toBe(400);
    });
  });

  describe('forwarding', () => {
    let source = '';
    let image: Json;
    let note: Json;
    let sameDepartment = '';
    let mixed = '';
    let withLeaver = '';

    beforeAll(async () => {
      source = await group(tokens.alice, ['bob', 'carol'], 'source');
      // The registry only knows uploaded media: register some (the blob store is not involved here).
      const { media } = await messaging.call(
        'RegisterMedia',
        (m, md) =>
          m.registerMedia(
            {
              type: 'image',
              contentType: 'image/png',
              size: 1_024,
              sha256: 'a'.repeat(64),
              name: 'photo.png',
              storageKey: `media/${corpAId}/photo-1`,
            },
            md,
          ),
        { corpId: corpAId, userId: 'alice', roles: [] },
      );
      image = await send(tokens.alice, source, 'img-1', 'image', { mediaId: media!.mediaId, width: 640, height: 480 });
      note = await send(tokens.alice, source, 'txt-1', 'text', { text: 'see the photo' });
      sameDepartment = await group(tokens.bob, ['alice'], 'sales only');
      mixed = await group(tokens.bob, ['carol'], 'sales and ops');
      withLeaver = await group(tokens.bob, ['erin'], 'with a leaver');
      await ok('POST', '/directory/members/erin/disable', tokens.admin);
    });

    const forward = (token: string, target: string, clientMsgId: string, refs: Json[], mode?: string) =>
      call('POST', `/conversations/${target}/forward`, token, { clientMsgId, messages: refs, ...(mode ? { mode } : {}) });

    it('forwards one by one with a reference to the original, idempotently', async () => {
      await setPolicy(corpAId, { fileForwarding: 'any' });
      const reply = await forward(tokens.bob, mixed, 'fw-any', [
        { conversationId: source, seq: image.seq },
        { conversationId: source, seq: note.seq },
      ]);
      expect(reply.status).toBe(201);
      expect(reply.body.created).toBe(true);
      expect(reply.body.messages).toEqual([
        expect.objectContaining({
          sender: 'bob',
          type: 'image',
          content: image.content,
          forwardedFrom: { conversationId: source, seq: image.seq, sender: 'alice', sentAt: image.sentAt, messageId: image.id },
        }),
        expect.objectContaining({ type: 'text', content: note.content, forwardedFrom: expect.objectContaining({ seq: note.seq }) }),
      ]);
      const again = await forward(tokens.bob, mixed, 'fw-any', [
        { conversationId: source, seq: image.seq },
        { conversationId: source, seq: note.seq },
      ]);
      expect(again.body).toEqual({ created: false, messages: reply.body.messages });
      // Media access follows the forwarded copy: dave, in no conversation with the photo, can read it once it reaches him.
      const readPhoto = () =>
        messaging.call('AuthorizeMediaRead', (m, md) => m.authorizeMediaRead({ mediaId: image.content.mediaId as string }, md), {
          corpId: corpAId,
          userId: 'dave',
          roles: [],
        });
      await expect(readPhoto()).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const withDave = await group(tokens.bob, ['dave'], 'with dave');
      expect((await forward(tokens.bob, withDave, 'fw-dave', [{ conversationId: source, seq: image.seq }])).status).toBe(201);
      expect((await readPhoto()).media).toMatchObject({ mediaId: image.content.mediaId });
      // Forwarding a forward keeps the first origin.
      const onward = await forward(tokens.carol, source, 'fw-onward', [{ conversationId: mixed, seq: reply.body.messages[0].seq }]);
      expect(onward.body.messages[0].forwardedFrom).toEqual(reply.body.messages[0].forwardedFrom);
    });

    it('merges into one chat record', async () => {
      const reply = await forward(
        tokens.alice,
        sameDepartment,
        'fw-merged',
        [
          { conversationId: source, seq: image.seq },
          { conversationId: source, seq: note.seq },
        ],
        'merged',
      );
      expect(reply.status).toBe(201);
      expect(reply.body.messages).toHaveLength(1);
      expect(reply.body.messages[0]).toMatchObject({
        type: 'chat_record',
        content: {
          items: [
            { conversationId: source, seq: image.seq, sender: 'alice', type: 'image', content: image.content },
            { conversationId: source, seq: note.seq, sender: 'alice', type: 'text', content: note.content },
          ],
        },
      });
    });

    it('internal_only: files only into conversations whose members are all active members of the corp', async () => {
      const policy = await setPolicy(corpAId, { fileForwarding: 'internal_only' });
      expect(policy.fileForwarding).toBe('internal_only');
      expect((await forward(tokens.bob, mixed, 'fw-int-ok', [{ conversationId: source, seq: image.seq }])).status).toBe(201);
      const blocked = await forward(tokens.bob, withLeaver, 'fw-int-no', [{ conversationId: source, seq: image.seq }]);
      expect(blocked.status).toBe(403);
      expect(blocked.body).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('file forwarding policy (internal_only)'),
        details: { policy: 'file_forwarding', value: 'internal_only', userid: 'erin' },
      });
      // Text is not a file: the policy does not apply.
      expect((await forward(tokens.bob, withLeaver, 'fw-int-text', [{ conversationId: source, seq: note.seq }])).status).toBe(201);
    });

    it('same_department: files only to members sharing a department with the original sender', async () => {
      await setPolicy(corpAId, { fileForwarding: 'same_department' });
      expect((await forward(tokens.bob, sameDepartment, 'fw-dep-ok', [{ conversationId: source, seq: image.seq }])).status).toBe(201);
      const blocked = await forward(tokens.bob, mixed, 'fw-dep-no', [{ conversationId: source, seq: image.seq }]);
      expect(blocked.status).toBe(403);
      expect(blocked.body).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('file forwarding policy (same_department)'),
        details: { policy: 'file_forwarding', value: 'same_department', userid: 'carol', originalSender: 'alice' },
      });
      // A merged forward carrying the file is judged by its items.
      const merged = await forward(tokens.bob, mixed, 'fw-dep-merged', [{ conversationId: source, seq: image.seq }], 'merged');
      expect(merged.status).toBe(403);
      expect((await forward(tokens.bob, mixed, 'fw-dep-text', [{ conversationId: source, seq: note.seq }])).status).toBe(201);
      await setPolicy(corpAId, { fileForwarding: 'any' });
    });

    it('refuses recalled, burn-after-reading and unseen messages, and messages of another corp', async () => {
      const recalled = await send(tokens.alice, source, 'to-recall', 'text', { text: 'oops' });
      await ok('POST', `/conversations/${source}/messages/${recalled.seq}/recall`, tokens.alice);
      const gone = await forward(tokens.alice, sameDepartment, 'fw-recalled', [{ conversationId: source, seq: recalled.seq }]);
      expect(gone.status).toBe(412);
      expect(gone.body.details).toMatchObject({ reason: 'RECALLED' });

      const chat = await direct(tokens.alice, 'bob');
      const secret = await send(tokens.alice, chat, 'burn-fw', 'text', { text: 'for your eyes only' }, { burnAfterReading: true });
      const burnt = await forward(tokens.alice, sameDepartment, 'fw-burn', [{ conversationId: chat, seq: secret.seq }]);
      expect(burnt.status).toBe(412);
      expect(burnt.body.details).toMatchObject({ reason: 'BURN_AFTER_READING' });

      // dave is not in the source group: for him it does not exist.
      const daveChat = await group(tokens.dave, ['alice']);
      expect((await forward(tokens.dave, daveChat, 'fw-unseen', [{ conversationId: source, seq: note.seq }])).status).toBe(404);
      // Corp B cannot reach corp A's conversation, even knowing its id.
      await createMember(adminB, 'zed', [1]);
      const bChat = await group(adminB, ['zed']);
      const foreign = await forward(adminB, bChat, 'fw-foreign', [{ conversationId: source, seq: note.seq }]);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('NOT_FOUND');
      expect((await sync(adminB, bChat)).messages).toEqual([]);
    });
  });

  describe('retention', () => {
    it('expires content older than the retention as tombstones; sync stays gap-free, other corps untouched', async () => {
      await createMember(adminB, 'yan', [1]);
      const chat = await group(adminB, ['yan'], 'retained');
      const sent: Json[] = [];
      for (let i = 1; i <= 5; i++) sent.push(await send(adminB, chat, `old-${i}`, 'text', { text: `old ${i}` }));
      const corpAGroup = await group(tokens.alice, ['bob'], 'corp A keeps everything');
      const kept = await send(tokens.alice, corpAGroup, 'kept', 'text', { text: 'kept forever' });

      expect((await setPolicy(corpBId, { messageRetentionDays: 1 })).messageRetentionDays).toBe(1);
      const retention = platform.services.messaging.app.get(RetentionService);
      // Twelve hours on, nothing is a day old yet.
      expect(await retention.sweep(new Date(Date.now() + 12 * HOUR_MS))).toBe(0);
      // Two days on, in batches of two: all five, and a second sweep finds nothing more.
      const twoDaysOn = new Date(Date.now() + 48 * HOUR_MS);
      expect(await retention.sweep(twoDaysOn, 2)).toBe(5);
      expect(await retention.sweep(twoDaysOn, 2)).toBe(0);
      const fresh = await send(adminB, chat, 'new-1', 'text', { text: 'new' });

      const all = await sync(adminB, chat);
      expect((all.messages as Json[]).map((m) => m.seq as number)).toEqual([...sent.map((m) => m.seq as number), fresh.seq]);
      expect((all.messages as Json[]).slice(0, 5)).toEqual(
        sent.map((): unknown => expect.objectContaining({ expired: true, content: null })),
      );
      expect((all.messages as Json[])[5]).toMatchObject({ expired: false, content: { text: 'new' } });
      const tail = await sync(adminB, chat, sent[2].seq as number);
      expect((tail.messages as Json[]).map((m) => m.seq as number)).toEqual([sent[3].seq, sent[4].seq, fresh.seq]);
      expect(tail.hasMore).toBe(false);
      // Corp A has no retention: its message is intact.
      expect(((await sync(tokens.alice, corpAGroup)).messages as Json[]).find((m) => m.seq === kept.seq)).toMatchObject({
        expired: false,
        content: { text: 'kept forever' },
      });
      // Expired messages cannot be forwarded.
      const forwarded = await call('POST', `/conversations/${chat}/forward`, adminB, {
        clientMsgId: 'fw-expired',
        messages: [{ conversationId: chat, seq: sent[0].seq }],
      });
      expect(forwarded.status).toBe(412);
      expect(forwarded.body.details).toMatchObject({ reason: 'EXPIRED' });
    });
  });

  describe('department groups', () => {
    let salesGroup = '';

    it('only an admin in scope creates one; its members are the department subtree, the creator owns it', async () => {
      expect((await call('POST', '/department-groups', tokens.bob, { departmentId: departments.sales, subtree: true })).status).toBe(403);
      await ok('PUT', '/directory/admin-scopes/carol', tokens.admin, {
        role: 'sub_admin',
        departmentIds: [departments.ops],
        permissions: ['manage_members'],
      });
      const outOfScope = await call('POST', '/department-groups', tokens.carol, { departmentId: departments.sales, subtree: true });
      expect(outOfScope.status).toBe(403);
      const ops = await call('POST', '/department-groups', tokens.carol, { departmentId: departments.ops });
      expect(ops.status).toBe(201);
      expect(ops.body.conversation).toMatchObject({ name: 'Ops', owner: 'carol', departmentId: departments.ops, departmentSubtree: false });

      const created = await ok('POST', '/department-groups', tokens.admin, {
        departmentId: departments.sales,
        subtree: true,
        name: 'All of Sales',
      });
      salesGroup = created.conversation.id as string;
      expect(created.conversation).toMatchObject({
        kind: 'group',
        owner: 'admin',
        departmentId: departments.sales,
        departmentSubtree: true,
      });
      // erin is disabled: not an active member, not in the group.
      expect(await members(tokens.admin, salesGroup)).toEqual(['admin', 'alice', 'bob', 'dave']);
    });

    it('cannot be joined, left or changed by hand', async () => {
      const leave = await call('POST', `/conversations/${salesGroup}/members:remove`, tokens.alice, { userids: ['alice'] });
      expect(leave.status).toBe(412);
      expect(leave.body).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'DEPARTMENT_GROUP' } });
      expect((await call('POST', `/conversations/${salesGroup}/members:remove`, tokens.admin, { userids: ['bob'] })).status).toBe(412);
      expect((await call('POST', `/conversations/${salesGroup}/members`, tokens.admin, { userids: ['carol'] })).status).toBe(412);
    });

    it('follows the directory: a member created into the department joins, one moved out or offboarded leaves', async () => {
      const aliceSocket = await socketOf('alice');
      await createMember(tokens.admin, 'frank', [departments.sales]);
      await eventually(
        () => members(tokens.admin, salesGroup),
        (list) => list.includes('frank'),
        20_000,
        'frank joins the Sales group',
      );
      await eventually(
        () => aliceSocket.of('conversation', salesGroup).filter((f) => f.change === 'members'),
        (frames) => frames.some((f) => (f.data.added as string[]).includes('frank')),
        5_000,
        'the members frame',
      );

      await ok('PATCH', '/directory/members/bob', tokens.admin, { departments: [{ departmentId: departments.ops }] });
      await ok('POST', '/directory/members/dave/offboard', tokens.admin, { successorUserid: 'admin' });
      await eventually(
        () => members(tokens.admin, salesGroup),
        (list) => !list.includes('bob') && !list.includes('dave'),
        20_000,
        'bob and dave leave the Sales group',
      );
      expect(await members(tokens.admin, salesGroup)).toEqual(['admin', 'alice', 'frank']);
      const changes = (await outbox('messaging.conversation.members_changed')).filter((e) => e.payload.conversationId === salesGroup);
      expect(changes.map((e) => e.payload as Json)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ added: ['frank'], removed: [], actor: 'system:directory' }),
          expect.objectContaining({ removed: expect.arrayContaining(['bob']), actor: 'system:directory' }),
        ]),
      );
    });

    it('follows a department moved out of the subtree', async () => {
      await createMember(tokens.admin, 'gina', [departments.north]);
      await eventually(
        () => members(tokens.admin, salesGroup),
        (list) => list.includes('gina'),
        20_000,
        'gina (North, under Sales) joins',
      );
      await ok('POST', `/directory/departments/${departments.north}/move`, tokens.admin, { parentId: 1 });
      await eventually(
        () => members(tokens.admin, salesGroup),
        (list) => !list.includes('gina'),
        20_000,
        'gina leaves once North is no longer under Sales',
      );
      expect(await members(tokens.admin, salesGroup)).toEqual(['admin', 'alice', 'frank']);
    });

    it('creates a 2,000-member department group in one call and keeps it in step with a bulk import', async () => {
      const floor = (await ok('POST', '/directory/departments', tokens.admin, { parentId: 1, name: 'Floor' })).id as number;
      const csv = [
        'User ID,Name,Email,Departments',
        ...Array.from({ length: 2_000 }, (_, i) => `bulk${i},Bulk ${i},bulk${i}@features.test,${floor}`),
      ].join('\n');
      const job = await ok('POST', '/directory/imports', tokens.admin, { kind: 'members', mode: 'all_or_nothing', csv });
      const imported = await eventually(
        () => ok('GET', `/directory/imports/${job.id}`, tokens.admin),
        (j) => ['done', 'invalid', 'failed'].includes(j.status as string),
        120_000,
        'the import of 2,000 members',
      );
      expect(imported).toMatchObject({ status: 'done' });
      // 2,001 with the creator: over the default cap of 2,000 until the corp raises it.
      const tooBig = await call('POST', '/department-groups', tokens.admin, { departmentId: floor });
      expect(tooBig.status).toBe(409);
      expect(tooBig.body).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 2_000, members: 2_001 } });
      await setPolicy(corpAId, { maxGroupMembers: 2_100 });
      const created = await ok('POST', '/department-groups', tokens.admin, { departmentId: floor });
      const floorGroup = created.conversation.id as string;
      expect(created.conversation).toMatchObject({ memberCount: 2_001, departmentId: floor });

      // The directory's next member of the department joins; a message still reaches a 2,002-member group.
      await createMember(tokens.admin, 'late', [floor]);
      await eventually(
        async () => (await ok('GET', `/conversations/${floorGroup}`, tokens.admin)).conversation.memberCount as number,
        (count) => count === 2_002,
        90_000,
        'the new member joins the 2,000-member group',
      );
      const hello = await send(tokens.admin, floorGroup, 'all-hands', 'text', { text: 'welcome, everyone' });
      expect(((await sync(await login(corpA, 'late'), floorGroup)).messages as Json[]).map((m) => m.seq as number)).toEqual([hello.seq]);

      // An ordinary group of 2,000 made in one REST call (the directory is asked in pages), and
      // who has not read its first message yet: the receipt lists all 1,999 others.
      const big = (
        await ok('POST', '/conversations', tokens.admin, {
          kind: 'group',
          name: 'two thousand',
          members: Array.from({ length: 1_999 }, (_, i) => `bulk${i}`),
        })
      ).conversation as Json;
      expect(big.memberCount).toBe(2_000);
      const first = await send(tokens.admin, big.id as string, 'big-1', 'text', { text: 'read me' });
      const receipt = await ok(
        'GET',
        `/conversations/${big.id as string}/messages/${first.seq as number}/receipt?pageSize=2000`,
        tokens.admin,
      );
      expect(receipt).toMatchObject({ readCount: 0, unreadCount: 1_999 });
      expect((receipt.unreadBy as string[]).length).toBe(1_999);
    }, 240_000);
  });
  it("lets super admins set the messaging policy over REST, and renders the watermark into each member's session", async () => {
    const before = await ok('GET', '/messaging/policy', tokens.alice);
    const beforeB = await ok('GET', '/messaging/policy', adminB);
    expect(await call('PATCH', '/messaging/policy', tokens.alice, { watermarkEnabled: true })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect(await call('PATCH', '/messaging/policy', adminB, { maxGroupMembers: 1 })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(await call('PATCH', '/messaging/policy', adminB, { fileForwarding: 'nowhere' })).toMatchObject({ status: 400 });

    const saved = await ok('PATCH', '/messaging/policy', adminB, {
      watermarkEnabled: true,
      watermarkTemplate: '{name} · {userid} · 内部资料',
      recallWindowSeconds: 600,
    });
    expect(saved).toMatchObject({ watermarkEnabled: true, recallWindowSeconds: 600, maxGroupMembers: beforeB.maxGroupMembers });
    expect(await ok('GET', '/me', adminB)).toMatchObject({
      userid: 'admin',
      watermark: { enabled: true, text: 'admin · admin · 内部资料', template: '{name} · {userid} · 内部资料' },
    });
    // Corp A is untouched by corp B's policy.
    expect(await ok('GET', '/messaging/policy', tokens.alice)).toEqual(before);
    expect(((await ok('GET', '/me', tokens.alice)).watermark as Json).enabled).toBe(before.watermarkEnabled);
  });
});
