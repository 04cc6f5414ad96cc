import { directoryV1, messagingV1, protoPathFor, realtimeChannels } from '@atrium/contracts';
import {
  CallerIdentity,
  GrpcServiceClient,
  PLATFORM_ADMIN_ROLE,
  RedisPubSub,
  SERVICE_ROLE,
  SUPER_ADMIN_ROLE,
  signIdentity,
} from '@atrium/platform';
import { Client } from 'pg';
import { eventually, memberInput, testInfra, uniqueSuffix } from '@atrium/testing';
import { Metadata } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { startTestPlatform, TestPlatform } from './support/test-platform';

type Messaging = messagingV1.MessagingServiceClient;
type Directory = directoryV1.DirectoryServiceClient;

/** Messaging against a real directory, PostgreSQL, Kafka and Redis (the whole platform in-process). */
describe('messaging', () => {
  let platform: TestPlatform;
  let messaging: GrpcServiceClient<Messaging>;
  let directory: GrpcServiceClient<Directory>;
  let pubsub: RedisPubSub;
  let identityKey = '';
  let corpId = '';
  const as = (userid: string, roles: string[] = []): CallerIdentity => ({ corpId, userId: userid, roles });
  const msg = <R>(caller: CallerIdentity, fn: (c: Messaging, md: Metadata) => Observable<R>) => messaging.call('test', fn, caller);
  const dir = <R>(caller: CallerIdentity, fn: (c: Directory, md: Metadata) => Observable<R>) => directory.call('test', fn, caller);
  const text = (conversationId: string, clientMsgId: string, body: string, extra: Record<string, unknown> = {}) => ({
    conversationId,
    clientMsgId,
    type: 'text',
    contentJson: JSON.stringify({ text: body, ...extra }),
  });

  beforeAll(async () => {
    platform = await startTestPlatform();
    identityKey = platform.identityKey;
    const common = { caller: 'test', identityKey };
    messaging = new GrpcServiceClient(
      { ...common, url: platform.grpcUrls.messaging, packageName: 'atrium.messaging.v1', protoPath: protoPathFor('messaging') },
      messagingV1.MESSAGING_SERVICE_NAME,
    );
    directory = new GrpcServiceClient(
      { ...common, url: platform.grpcUrls.directory, packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory') },
      directoryV1.DIRECTORY_SERVICE_NAME,
    );
    pubsub = new RedisPubSub(testInfra.redisUrl());
    const corp = await dir({ corpId: '', userId: 'operator', roles: [PLATFORM_ADMIN_ROLE] }, (d, md) =>
      d.createCorp(
        { code: `chat-${uniqueSuffix()}`, name: 'Chat Co', adminUserid: 'admin', adminName: 'Admin', adminPassword: 'admin-password' },
        md,
      ),
    );
    corpId = corp.corp!.id;
    for (const userid of ['alice', 'bob', 'carol', 'dave', 'erin']) {
      await dir(as('admin', [SUPER_ADMIN_ROLE]), (d, md) =>
        d.createMember({ member: memberInput(userid, [1], { email: `${userid}@chat.test` }) }, md),
      );
    }
  }, 180_000);

  afterAll(async () => {
    await messaging?.close();
    await directory?.close();
    await pubsub?.close();
    await platform?.teardown();
  });

  describe('in a group', () => {
    let groupId = '';
    beforeAll(async () => {
      const group = await msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Project X', members: ['bob', 'carol'], adminOnly: false, whoMayAdd: 'admins' }, md),
      );
      groupId = group.conversation!.id;
    });

    it('delivers a sent message on the conversation channel of the realtime fan-out', async () => {
      const received: string[] = [];
      const unsubscribe = await pubsub.subscribe(realtimeChannels.conversation(corpId, groupId), (m) => received.push(m));
      const sent = await msg(as('bob'), (c, md) => c.sendMessage(text(groupId, 'rt-1', 'live'), md));
      const event = await eventually(
        () =>
          received
            .map((r) => JSON.parse(r) as { kind: string; message?: { seq: number } })
            .find((e) => e.kind === 'message' && e.message?.seq === sent.message!.seq),
        Boolean,
        10_000,
        'the realtime message event',
      );
      expect(event).toMatchObject({
        kind: 'message',
        conversationId: groupId,
        message: { sender: 'bob', contentJson: '{"text":"live","mentions":[],"mentionAll":false}' },
      });
      await unsubscribe();
    });

    it('hands owned groups to the successor when the owner is offboarded', async () => {
      const team = await msg(as('erin'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Erin team', members: ['carol'], adminOnly: false, whoMayAdd: 'all' }, md),
      );
      await dir(as('admin', [SUPER_ADMIN_ROLE]), (d, md) => d.offboardMember({ userid: 'erin', successorUserid: 'dave' }, md));
      const view = await eventually(
        () => msg(as('dave'), (c, md) => c.getConversation({ id: team.conversation!.id }, md)).catch(() => undefined),
        (v) => v?.conversation?.owner === 'dave',
        30_000,
        'the successor owning the group',
      );
      expect(view?.conversation?.myRole).toBe('owner');
      const members = await msg(as('dave'), (c, md) => c.listMembers({ id: team.conversation!.id, pageSize: 0, pageToken: '' }, md));
      expect(members.members.map((m) => m.userid)).toEqual(['carol', 'dave']);
      const transfers = await eventually(
        () => dir(as('admin', [SUPER_ADMIN_ROLE]), (d, md) => d.listTransferRecords({ userid: 'erin' }, md)),
        (t) => t.transfers.some((r) => r.resourceType === 'groups' && r.status === 'done'),
        30_000,
        'the directory transfer record for groups',
      );
      expect(transfers.transfers.find((r) => r.resourceType === 'groups')).toMatchObject({ status: 'done', transferred: 1 });
    });

    it('reports a dissolved group one way, whatever is tried in it', async () => {
      const doomed = await msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Short-lived', members: ['bob'], adminOnly: false, whoMayAdd: 'all' }, md),
      );
      const id = doomed.conversation!.id;
      await msg(as('alice'), (c, md) => c.dissolveConversation({ id }, md));
      const dissolved = { code: 'PRECONDITION_FAILED', details: { reason: 'DISSOLVED', conversationId: id } };
      await expect(msg(as('bob'), (c, md) => c.sendMessage(text(id, 'after-1', 'anyone?'), md))).rejects.toMatchObject(dissolved);
      await expect(msg(as('alice'), (c, md) => c.updateConversation({ id, name: 'Revived' }, md))).rejects.toMatchObject(dissolved);
      await expect(msg(as('bob'), (c, md) => c.addMembers({ id, userids: ['carol'] }, md))).rejects.toMatchObject(dissolved);
    });
  });

  describe('sends relayed in a batch (SendMessages, as the WebSocket edge does)', () => {
    const signed = (caller: CallerIdentity, key = identityKey) => {
      const { payload, signature } = signIdentity(caller, key);
      return { identity: payload, identitySig: signature };
    };
    const gateway: CallerIdentity = { corpId: '', userId: 'service:gateway', roles: [SERVICE_ROLE] };

    it('settles each send on its own: consecutive seqs, resends, refusals and forged senders side by side', async () => {
      const group = await msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Batch', members: ['bob', 'carol'], adminOnly: false, whoMayAdd: 'all' }, md),
      );
      const groupId = group.conversation!.id;
      const direct = await msg(as('dave'), (c, md) =>
        c.createConversation({ kind: 'direct', name: '', members: ['carol'], adminOnly: false, whoMayAdd: '' }, md),
      );
      const directId = direct.conversation!.id;
      const stored = await msg(as('bob'), (c, md) => c.sendMessage(text(groupId, 'b-stored', 'before the batch'), md));

      const { results } = await msg(gateway, (c, md) =>
        c.sendMessages(
          {
            sends: [
              { ...signed(as('alice')), send: text(groupId, 'b-1', 'one') },
              { ...signed(as('dave')), send: text(directId, 'b-2', 'elsewhere') },
              { ...signed(as('carol')), send: text(groupId, 'b-3', 'two') },
              { ...signed(as('alice')), send: text(groupId, 'b-1', 'one') },
              { ...signed(as('bob')), send: text(groupId, 'b-stored', 'before the batch') },
              { ...signed(as('dave')), send: text(groupId, 'b-4', 'not my group') },
              { ...signed(as('carol'), 'another key of the same length, 32+ characters'), send: text(directId, 'b-5', 'forged') },
              { ...signed(as('carol')), send: text('not-a-uuid', 'b-6', 'bad id') },
              { ...signed(as('alice')), send: { conversationId: groupId, clientMsgId: 'b-7', type: 'text', contentJson: '{}' } },
              { ...signed(as('bob')), send: text(groupId, 'b-8', 'three') },
            ],
          },
          md,
        ),
      );
      const base = stored.message!.seq;
      expect(results.map((r) => [r.message?.seq ?? null, r.created, r.errorCode])).toEqual([
        [base + 1, true, ''],
        [1, true, ''],
        [base + 2, true, ''],
        [base + 1, false, ''],
        [base, false, ''],
        [null, false, 'NOT_FOUND'],
        [null, false, 'UNAUTHENTICATED'],
        [null, false, 'VALIDATION_FAILED'],
        [null, false, 'VALIDATION_FAILED'],
        [base + 3, true, ''],
      ]);
      expect(results[3].message).toEqual(results[0].message);
      expect(results[4].message!.id).toBe(stored.message!.id);

      // Stored once each, in order, with the senders' cursors past their own messages.
      const synced = await msg(as('carol'), (c, md) => c.syncMessages({ conversationId: groupId, afterSeq: base - 1, limit: 10 }, md));
      expect(synced.messages.map((m) => [m.seq, m.sender, (JSON.parse(m.contentJson) as { text: string }).text])).toEqual([
        [base, 'bob', 'before the batch'],
        [base + 1, 'alice', 'one'],
        [base + 2, 'carol', 'two'],
        [base + 3, 'bob', 'three'],
      ]);
      expect(synced.lastSeq).toBe(base + 3);
      const view = await msg(as('carol'), (c, md) => c.getConversation({ id: groupId }, md));
      expect(view.conversation).toMatchObject({ lastSeq: base + 3, unreadCount: 1 });

      // One messaging.message.sent per stored message, in seq order, for the archive.
      const db = new Client({ connectionString: platform.databases.messaging.url });
      await db.connect();
      try {
        const { rows } = await db.query<{ seq: number }>(
          `SELECT (envelope->'payload'->'message'->>'seq')::int AS seq FROM platform_outbox
            WHERE event_type = 'messaging.message.sent' AND envelope->'payload'->>'conversationId' = $1 ORDER BY seq`,
          [groupId],
        );
        expect(rows.map((r) => r.seq)).toEqual([base, base + 1, base + 2, base + 3]);
      } finally {
        await db.end();
      }
    });

    it('answers batches over one SendStream by id, taking them in the order they arrive; the stream needs a valid identity', async () => {
      const group = await msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Stream', members: ['bob', 'carol'], adminOnly: false, whoMayAdd: 'all' }, md),
      );
      const groupId = group.conversation!.id;
      const stream = messaging.stream<messagingV1.SendStreamRequest, messagingV1.SendStreamResponse>('SendStream', gateway);
      try {
        const forgedKey = 'another key of the same length, 32+ characters';
        const answers = await Promise.all(
          Array.from({ length: 4 }, (_, b) =>
            stream.request({
              sends: [
                { ...signed(as('alice')), send: text(groupId, `st-${b}-0`, `b${b} alice`) },
                { ...signed(as('bob')), send: text(groupId, `st-${b}-1`, `b${b} bob`) },
                { ...signed(as('carol'), b === 2 ? forgedKey : identityKey), send: text(groupId, `st-${b}-2`, `b${b} carol`) },
              ],
            }),
          ),
        );
        expect(answers.every((a) => a.errorCode === '')).toBe(true);
        expect(answers.map((a) => a.results.map((r) => r.message?.seq ?? r.errorCode))).toEqual([
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 'UNAUTHENTICATED'],
          [9, 10, 11],
        ]);
        // Stored and visible as any send.
        const synced = await msg(as('bob'), (c, md) => c.syncMessages({ conversationId: groupId, afterSeq: 0, limit: 20 }, md));
        expect(synced.messages.map((m) => m.clientMsgId)).toEqual([
          'st-0-0',
          'st-0-1',
          'st-0-2',
          'st-1-0',
          'st-1-1',
          'st-1-2',
          'st-2-0',
          'st-2-1',
          'st-3-0',
          'st-3-1',
          'st-3-2',
        ]);
      } finally {
        stream.close();
      }

      // A stream opened with an identity signed by another key is refused before any send is taken.
      const impostor = new GrpcServiceClient<Messaging>(
        {
          caller: 'test',
          identityKey: 'a key that is not the platform identity key, 32+ characters',
          url: platform.grpcUrls.messaging,
          packageName: 'atrium.messaging.v1',
          protoPath: protoPathFor('messaging'),
        },
        messagingV1.MESSAGING_SERVICE_NAME,
      );
      try {
        const refused = impostor.stream<messagingV1.SendStreamRequest, messagingV1.SendStreamResponse>('SendStream', gateway);
        await expect(
          refused.request({ sends: [{ ...signed(as('alice')), send: text(groupId, 'st-impostor', 'sneaked in') }] }),
        ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      } finally {
        await impostor.close();
      }
      const after = await msg(as('bob'), (c, md) => c.getConversation({ id: groupId }, md));
      expect(after.conversation!.lastSeq).toBe(11);
    });

    it('keeps seqs gapless and a client message id stored once when batches and single sends race', async () => {
      const group = await msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Race', members: ['bob', 'carol'], adminOnly: false, whoMayAdd: 'all' }, md),
      );
      const groupId = group.conversation!.id;
      const senders = ['alice', 'bob', 'carol'];
      const batches = Array.from({ length: 6 }, (_, b) =>
        msg(gateway, (c, md) =>
          c.sendMessages(
            {
              sends: Array.from({ length: 10 }, (_, i) => ({
                ...signed(as(senders[i % 3])),
                // Every batch also resends the same three client message ids.
                send: text(groupId, i < 3 ? `race-shared-${i}` : `race-${b}-${i}`, i < 3 ? `shared ${i}` : `b${b} m${i}`),
              })),
            },
            md,
          ),
        ),
      );
      const singles = Array.from({ length: 12 }, (_, i) =>
        msg(as(senders[i % 3]), (c, md) =>
          c.sendMessage(text(groupId, i < 3 ? `race-shared-${i}` : `race-single-${i}`, i < 3 ? `shared ${i}` : `s${i}`), md),
        ),
      );
      const [batchResults, singleResults] = await Promise.all([Promise.all(batches), Promise.all(singles)]);
      const all = [...batchResults.flatMap((r) => r.results), ...singleResults];
      expect(all.every((r) => r.message !== undefined)).toBe(true);
      // 6 × 7 distinct + 9 distinct singles + 3 shared = 54 messages, seqs 1..54.
      const created = all.filter((r) => r.created).map((r) => r.message!.seq);
      expect(created.sort((a, b) => a - b)).toEqual(Array.from({ length: 54 }, (_, i) => i + 1));
      for (let i = 0; i < 3; i += 1) {
        const shared = all.filter((r) => r.message!.clientMsgId === `race-shared-${i}`);
        expect(shared).toHaveLength(7);
        expect(new Set(shared.map((r) => r.message!.id)).size).toBe(1);
        expect(shared.filter((r) => r.created)).toHaveLength(1);
      }
    });
  });
});
