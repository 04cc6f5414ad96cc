import { randomBytes } from 'node:crypto';
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
import { createTestDatabase, eventually, memberInput, TestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { Metadata } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { AnyService, launchPlatform, RunningPlatform } from '../src/launch-platform';

type Messaging = messagingV1.MessagingServiceClient;
type Directory = directoryV1.DirectoryServiceClient;

/** Messaging against a real directory, PostgreSQL, Kafka and Redis (the whole platform in-process). */
describe('messaging', () => {
  let platform: RunningPlatform;
  const databases: TestDatabase[] = [];
  let messaging: GrpcServiceClient<Messaging>;
  let directory: GrpcServiceClient<Directory>;
  let pubsub: RedisPubSub;
  const identityKey = randomBytes(32).toString('hex');
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
    const services: AnyService[] = ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'];
    const urls = {} as Record<AnyService, string>;
    for (const s of services) {
      const db = await createTestDatabase(`msg_${s}`);
      databases.push(db);
      urls[s] = db.url;
    }
    platform = await launchPlatform({
      gatewayPort: 0,
      identityKey,
      jwtSecret: randomBytes(32).toString('hex'),
      databaseUrls: urls,
      bus: { kind: 'kafka', brokers: testInfra.kafkaBrokers(), topicPrefix: `msg-${uniqueSuffix()}.` },
      realtime: { kind: 'redis', url: testInfra.redisUrl() },
      logLevel: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
    });
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
    await platform?.stop();
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('returns the one direct conversation of a pair, whoever opens it', async () => {
    const first = await msg(as('alice'), (c, md) =>
      c.createConversation({ kind: 'direct', name: '', members: ['bob'], adminOnly: false, whoMayAdd: '' }, md),
    );
    const again = await msg(as('bob'), (c, md) =>
      c.createConversation({ kind: 'direct', name: '', members: ['ALICE'], adminOnly: false, whoMayAdd: '' }, md),
    );
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, conversation: { id: first.conversation!.id, kind: 'direct', memberCount: 2 } });
    await expect(
      msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'direct', name: '', members: ['nobody'], adminOnly: false, whoMayAdd: '' }, md),
      ),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { field: 'members' },
    });
  });

  describe('in a group', () => {
    let groupId = '';
    beforeAll(async () => {
      const group = await msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Project X', members: ['bob', 'carol'], adminOnly: false, whoMayAdd: 'admins' }, md),
      );
      groupId = group.conversation!.id;
    });

    it('assigns strictly increasing sequence numbers without gaps, even under concurrent senders', async () => {
      const sends = Array.from({ length: 40 }, (_, i) =>
        msg(as(i % 2 ? 'bob' : 'carol'), (c, md) => c.sendMessage(text(groupId, `burst-${i}`, `m${i}`), md)),
      );
      const seqs = (await Promise.all(sends)).map((r) => r.message!.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('treats a repeated client message id as the same message, and refuses it for another message', async () => {
      const first = await msg(as('alice'), (c, md) => c.sendMessage(text(groupId, 'dup-1', 'hello'), md));
      const repeat = await msg(as('alice'), (c, md) => c.sendMessage(text(groupId, 'dup-1', 'hello'), md));
      expect(first.created).toBe(true);
      expect(repeat).toEqual({ created: false, message: first.message });
      await expect(msg(as('alice'), (c, md) => c.sendMessage(text(groupId, 'dup-1', 'hello again'), md))).rejects.toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'CLIENT_MSG_ID_REUSED' },
      });
      const conversation = await msg(as('alice'), (c, md) => c.getConversation({ id: groupId }, md));
      expect(conversation.conversation!.lastSeq).toBe(first.message!.seq);
    });

    it('validates message content per type and refuses outsiders as if the group did not exist', async () => {
      await expect(
        msg(as('alice'), (c, md) => c.sendMessage({ conversationId: groupId, clientMsgId: 'v1', type: 'hologram', contentJson: '{}' }, md)),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'type' },
      });
      await expect(
        msg(as('alice'), (c, md) =>
          c.sendMessage(
            { conversationId: groupId, clientMsgId: 'v2', type: 'voice', contentJson: '{"mediaId":"m1","durationSeconds":600}' },
            md,
          ),
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'content.durationSeconds' } });
      await expect(
        msg(as('alice'), (c, md) =>
          c.sendMessage({ conversationId: groupId, clientMsgId: 'v3', type: 'text', contentJson: '{"text":' }, md),
        ),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'content_json' },
      });
      await expect(msg(as('dave'), (c, md) => c.sendMessage(text(groupId, 'x', 'let me in'), md))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        msg(as('dave'), (c, md) => c.syncMessages({ conversationId: groupId, afterSeq: 0, limit: 10 }, md)),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
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

    it('syncs what follows a sequence number, in order, and pages', async () => {
      const page1 = await msg(as('carol'), (c, md) => c.syncMessages({ conversationId: groupId, afterSeq: 0, limit: 25 }, md));
      const page2 = await msg(as('carol'), (c, md) => c.syncMessages({ conversationId: groupId, afterSeq: 25, limit: 500 }, md));
      const seqs = [...page1.messages, ...page2.messages].map((m) => m.seq);
      expect(page1.hasMore).toBe(true);
      expect(page2.hasMore).toBe(false);
      expect(seqs).toEqual(Array.from({ length: page2.lastSeq }, (_, i) => i + 1));
      const batch = await msg(as('carol'), (c, md) =>
        c.batchSync({ cursors: [{ conversationId: groupId, afterSeq: page2.lastSeq - 2 }], limitPerConversation: 50 }, md),
      );
      const mine = batch.conversations.find((c) => c.conversation!.id === groupId);
      expect(mine!.messages.map((m) => m.seq)).toEqual([page2.lastSeq - 1, page2.lastSeq]);
    });

    it('keeps read cursors: receipts say who has and has not read, unread counts follow', async () => {
      const sent = await msg(as('alice'), (c, md) => c.sendMessage(text(groupId, 'receipt-1', 'please read'), md));
      const seq = sent.message!.seq;
      await msg(as('bob'), (c, md) => c.markRead({ conversationId: groupId, seq }, md));
      const receipt = await msg(as('alice'), (c, md) => c.getReadReceipt({ conversationId: groupId, seq, pageSize: 10 }, md));
      expect(receipt).toEqual({ readCount: 1, unreadCount: 1, readBy: ['bob'], unreadBy: ['carol'] });
      const carolView = await msg(as('carol'), (c, md) => c.getConversation({ id: groupId }, md));
      expect(carolView.conversation!.unreadCount).toBeGreaterThan(0);
      const bobView = await msg(as('bob'), (c, md) => c.getConversation({ id: groupId }, md));
      expect(bobView.conversation!.unreadCount).toBe(0);
      await expect(msg(as('bob'), (c, md) => c.markRead({ conversationId: groupId, seq: seq + 100 }, md))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('recalls: the sender within the window, the owner any message, nobody else', async () => {
      const sent = await msg(as('bob'), (c, md) => c.sendMessage(text(groupId, 'oops-1', 'wrong chat'), md));
      await expect(
        msg(as('carol'), (c, md) => c.recallMessage({ conversationId: groupId, seq: sent.message!.seq }, md)),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const recalled = await msg(as('bob'), (c, md) => c.recallMessage({ conversationId: groupId, seq: sent.message!.seq }, md));
      expect(recalled.message).toMatchObject({ recalled: true, recalledBy: 'bob', contentJson: '' });
      const synced = await msg(as('carol'), (c, md) =>
        c.syncMessages({ conversationId: groupId, afterSeq: sent.message!.seq - 1, limit: 1 }, md),
      );
      expect(synced.messages[0]).toMatchObject({ seq: sent.message!.seq, recalled: true, contentJson: '' });
      const other = await msg(as('carol'), (c, md) => c.sendMessage(text(groupId, 'carol-1', 'mine'), md));
      await expect(
        msg(as('alice'), (c, md) => c.recallMessage({ conversationId: groupId, seq: other.message!.seq }, md)),
      ).resolves.toMatchObject({ message: { recalledBy: 'alice' } });
    });

    it('enforces admin-only mode, mutes and @all for admins only', async () => {
      await expect(
        msg(as('bob'), (c, md) => c.sendMessage(text(groupId, 'all-1', 'hey all', { mentionAll: true }), md)),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await msg(as('alice'), (c, md) => c.updateConversation({ id: groupId, adminOnly: true }, md));
      await expect(msg(as('bob'), (c, md) => c.sendMessage(text(groupId, 'ao-1', 'can I?'), md))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await msg(as('alice'), (c, md) => c.setMemberRole({ id: groupId, userid: 'bob', role: 'admin' }, md));
      await expect(msg(as('bob'), (c, md) => c.sendMessage(text(groupId, 'ao-2', 'as admin'), md))).resolves.toMatchObject({
        created: true,
      });
      await msg(as('alice'), (c, md) => c.updateConversation({ id: groupId, adminOnly: false }, md));
      await msg(as('bob'), (c, md) => c.muteMember({ id: groupId, userid: 'carol', minutes: 10 }, md));
      await expect(msg(as('carol'), (c, md) => c.sendMessage(text(groupId, 'mute-1', 'hello?'), md))).rejects.toMatchObject({
        code: 'FORBIDDEN',
        details: { mutedUntil: expect.any(String) },
      });
      await msg(as('bob'), (c, md) => c.muteMember({ id: groupId, userid: 'carol', minutes: 0 }, md));
      await expect(msg(as('carol'), (c, md) => c.sendMessage(text(groupId, 'mute-2', 'back'), md))).resolves.toMatchObject({
        created: true,
      });
    });

    it('manages membership: who may add, history from the join point, the owner cannot leave', async () => {
      await expect(msg(as('carol'), (c, md) => c.addMembers({ id: groupId, userids: ['dave'] }, md))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const before = (await msg(as('alice'), (c, md) => c.getConversation({ id: groupId }, md))).conversation!.lastSeq;
      expect(await msg(as('bob'), (c, md) => c.addMembers({ id: groupId, userids: ['dave', 'carol'] }, md))).toEqual({ added: ['dave'] });
      await msg(as('alice'), (c, md) => c.sendMessage(text(groupId, 'welcome-1', 'welcome dave'), md));
      const daveSync = await msg(as('dave'), (c, md) => c.syncMessages({ conversationId: groupId, afterSeq: 0, limit: 500 }, md));
      expect(daveSync.messages.map((m) => m.seq)).toEqual([before + 1]);
      await expect(msg(as('bob'), (c, md) => c.removeMembers({ id: groupId, userids: ['alice'] }, md))).rejects.toMatchObject({
        code: 'PRECONDITION_FAILED',
      });
      await expect(msg(as('dave'), (c, md) => c.removeMembers({ id: groupId, userids: ['dave'] }, md))).resolves.toEqual({
        removed: ['dave'],
      });
      const list = await msg(as('alice'), (c, md) => c.listMembers({ id: groupId, pageSize: 0, pageToken: '' }, md));
      expect(list.members.map((m) => `${m.userid}:${m.role}`)).toEqual(['alice:owner', 'bob:admin', 'carol:member']);
    });

    it("lists the caller's conversations, pinned first, by last activity", async () => {
      const other = await msg(as('carol'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Lunch', members: ['erin'], adminOnly: false, whoMayAdd: 'all' }, md),
      );
      await msg(as('carol'), (c, md) => c.sendMessage(text(other.conversation!.id, 'lunch-1', 'noodles?'), md));
      let list = await msg(as('carol'), (c, md) => c.listConversations({ pageSize: 10, pageToken: '' }, md));
      expect(list.conversations.map((c) => c.name)).toEqual(['Lunch', 'Project X']);
      await msg(as('carol'), (c, md) => c.setConversationPreferences({ id: groupId, pinned: true }, md));
      list = await msg(as('carol'), (c, md) => c.listConversations({ pageSize: 10, pageToken: '' }, md));
      expect(list.conversations.map((c) => `${c.name}:${c.pinned}`)).toEqual(['Project X:true', 'Lunch:false']);
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

    it('keeps corps apart', async () => {
      const other = await dir({ corpId: '', userId: 'operator', roles: [PLATFORM_ADMIN_ROLE] }, (d, md) =>
        d.createCorp(
          { code: `rival-${uniqueSuffix()}`, name: 'Rival', adminUserid: 'alice', adminName: 'Alice', adminPassword: 'admin-password' },
          md,
        ),
      );
      const outsider: CallerIdentity = { corpId: other.corp!.id, userId: 'alice', roles: [SUPER_ADMIN_ROLE] };
      await expect(msg(outsider, (c, md) => c.getConversation({ id: groupId }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(msg(outsider, (c, md) => c.sendMessage(text(groupId, 'x-1', 'hi'), md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await msg(outsider, (c, md) => c.listConversations({ pageSize: 10, pageToken: '' }, md))).conversations).toEqual([]);
    });
  });

  it('enforces the corp policy set by a super admin: group creation, recall window, group cap; members read the watermark', async () => {
    const policyCorp = await dir({ corpId: '', userId: 'operator', roles: [PLATFORM_ADMIN_ROLE] }, (d, md) =>
      d.createCorp(
        { code: `policy-${uniqueSuffix()}`, name: 'Policy Co', adminUserid: 'boss', adminName: 'Boss', adminPassword: 'admin-password' },
        md,
      ),
    );
    const pid = policyCorp.corp!.id;
    const boss: CallerIdentity = { corpId: pid, userId: 'boss', roles: [SUPER_ADMIN_ROLE] };
    const member = (userid: string): CallerIdentity => ({ corpId: pid, userId: userid, roles: [] });
    for (const userid of ['p1', 'p2', 'p3']) {
      await dir(boss, (d, md) => d.createMember({ member: memberInput(userid, [1], { email: `${userid}@policy.test` }) }, md));
    }
    const policy = {
      membersMayCreateGroups: false,
      recallWindowSeconds: 0,
      maxGroupMembers: 3,
      watermarkEnabled: true,
      watermarkTemplate: '{name} {employee_no}',
    };
    await expect(msg(member('p1'), (c, md) => c.setCorpPolicy({ policy }, md))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await msg(boss, (c, md) => c.setCorpPolicy({ policy }, md));
    expect((await msg(member('p2'), (c, md) => c.getCorpPolicy({}, md))).policy).toMatchObject(policy);

    await expect(
      msg(member('p1'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Nope', members: ['p2'], adminOnly: false, whoMayAdd: 'all' }, md),
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const group = await msg(boss, (c, md) =>
      c.createConversation({ kind: 'group', name: 'Admins only', members: ['p1', 'p2'], adminOnly: false, whoMayAdd: 'all' }, md),
    );
    await expect(msg(boss, (c, md) => c.addMembers({ id: group.conversation!.id, userids: ['p3'] }, md))).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
    const direct = await msg(member('p1'), (c, md) =>
      c.createConversation({ kind: 'direct', name: '', members: ['p2'], adminOnly: false, whoMayAdd: '' }, md),
    );
    const sent = await msg(member('p1'), (c, md) => c.sendMessage(text(direct.conversation!.id, 'late-1', 'too late to take back'), md));
    await expect(
      msg(member('p1'), (c, md) => c.recallMessage({ conversationId: direct.conversation!.id, seq: sent.message!.seq }, md)),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'the recall window has passed',
    });
    await expect(msg(boss, (c, md) => c.setCorpPolicy({ policy: { ...policy, maxGroupMembers: 20_000 } }, md))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'max_group_members' },
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
      const db = new Client({ connectionString: databases[2].url });
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
