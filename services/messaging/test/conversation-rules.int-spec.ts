import { connect } from 'node:net';
import { CallerIdentity } from '@atrium/platform';
import { Metadata } from '@grpc/grpc-js';
import { messagingV1 } from '@atrium/contracts';
import { Observable } from 'rxjs';
import { HarnessDatabase, MessagingHarness, TestCorp, textSend as text } from './messaging-harness';

type Messaging = messagingV1.MessagingServiceClient;

/** Messaging's rules for conversations and sends, on messaging alone: no directory, gateway or other service runs. */
describe.each<HarnessDatabase>(['postgres', 'pglite'])('conversation rules (messaging alone, on %s)', (engine) => {
  let harness: MessagingHarness;
  let corp: TestCorp;
  const as = (userid: string): CallerIdentity => corp.as(userid);
  const msg = <R>(caller: CallerIdentity, fn: (c: Messaging, md: Metadata) => Observable<R>) => harness.call(caller, fn);

  beforeAll(async () => {
    harness = await MessagingHarness.start(engine);
    corp = harness.createCorp(['alice', 'bob', 'carol', 'dave', 'erin']);
  }, 120_000);
  afterAll(() => harness?.stop());

  it('runs with no other service: the directory address it was given has nobody listening', async () => {
    const [host, port] = harness.unusedDirectoryUrl.split(':');
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), host, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    // Who is a member comes from the directory port all the same.
    harness.directory.addMembers(corp.corpId, ['frank']);
    await expect(
      msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Port', members: ['frank'], adminOnly: false, whoMayAdd: 'all' }, md),
      ),
    ).resolves.toMatchObject({ created: true, conversation: { memberCount: 2 } });
    harness.directory.deactivate(corp.corpId, 'frank');
    await expect(
      msg(as('alice'), (c, md) =>
        c.createConversation({ kind: 'group', name: 'Port', members: ['frank'], adminOnly: false, whoMayAdd: 'all' }, md),
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', details: { field: 'members', userids: ['frank'] } });
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

    it('keeps corps apart', async () => {
      const rival = harness.createCorp(['alice']);
      const outsider: CallerIdentity = { ...rival.admin, userId: 'alice' };
      await expect(msg(outsider, (c, md) => c.getConversation({ id: groupId }, md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(msg(outsider, (c, md) => c.sendMessage(text(groupId, 'x-1', 'hi'), md))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await msg(outsider, (c, md) => c.listConversations({ pageSize: 10, pageToken: '' }, md))).conversations).toEqual([]);
    });

    it('refuses every send once the owner has dissolved the group, and only the owner may dissolve it', async () => {
      const before = (await msg(as('alice'), (c, md) => c.getConversation({ id: groupId }, md))).conversation!.lastSeq;
      await expect(msg(as('bob'), (c, md) => c.dissolveConversation({ id: groupId }, md))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await msg(as('alice'), (c, md) => c.dissolveConversation({ id: groupId }, md));
      for (const sender of ['alice', 'bob', 'carol']) {
        await expect(msg(as(sender), (c, md) => c.sendMessage(text(groupId, `after-${sender}`, 'anyone?'), md))).rejects.toMatchObject({
          code: 'PRECONDITION_FAILED',
          message: expect.stringMatching(/dissolved/),
        });
      }
      await expect(msg(as('alice'), (c, md) => c.updateConversation({ id: groupId, adminOnly: true }, md))).rejects.toMatchObject({
        code: 'PRECONDITION_FAILED',
      });
      // What was said stays readable, and nothing was added by the refused sends.
      const synced = await msg(as('carol'), (c, md) => c.syncMessages({ conversationId: groupId, afterSeq: before - 1, limit: 10 }, md));
      expect(synced.lastSeq).toBe(before);
      expect(synced.messages.map((m) => m.seq)).toEqual([before]);
    });
  });

  it('enforces the corp policy set by a super admin: group creation, recall window, group cap; members read the watermark', async () => {
    const policyCorp = harness.createCorp(['p1', 'p2', 'p3']);
    const boss = policyCorp.admin;
    const member = (userid: string): CallerIdentity => policyCorp.as(userid);
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
});
