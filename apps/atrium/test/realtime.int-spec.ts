import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, memberInput, testInfra, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { ProcessPlatform, startServiceProcesses } from '../src/service-processes';
import { TestSocket } from './support/test-socket';
import { createProcessCorp } from './support/process-corp';

const dist = join(__dirname, '..', '..', '..', 'dist');

interface Frame {
  type: string;
  conversationId?: string;
  message?: { seq: number; sender: string; content: { text?: string } | null };
  [key: string]: unknown;
}

/** Realtime over WebSocket with two gateway processes: a user on each, messages both ways. */
describe('realtime delivery across gateway replicas', () => {
  let platform: ProcessPlatform;
  let second: Awaited<ReturnType<ProcessPlatform['addGatewayReplica']>>;
  const identityKey = randomBytes(32).toString('hex');
  const prefix = `rt${uniqueSuffix()}`;
  const corp = `rt-${uniqueSuffix()}`;
  const tokens: Record<string, string> = {};
  const sockets: TestSocket<Frame>[] = [];

  const api = async (base: string, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    if (!existsSync(join(dist, 'services', 'gateway', 'src', 'main.js')))
      throw new Error("dist/ is missing: run 'npm run build' (npm test does)");
    platform = await startServiceProcesses({
      pgAdminUrl: testInfra.pgUrl(),
      databasePrefix: prefix,
      kafkaBrokers: testInfra.kafkaBrokers(),
      topicPrefix: `${prefix}.`,
      redisUrl: testInfra.redisUrl(),
      identityKey,
      jwtSecret: randomBytes(32).toString('hex'),
      gatewayPort: 0,
      logLevel: 'warn',
      distDir: dist,
    });
    second = await platform.addGatewayReplica();
    const { admin, directory } = await createProcessCorp(platform, identityKey, corp, 'Realtime Co');
    for (const userid of ['alice', 'bob', 'carol']) {
      await directory.call(
        'CreateMember',
        (d, md) =>
          d.createMember(
            {
              member: memberInput(userid, [1], { email: `${userid}@rt.test`, password: `${userid}-password` }),
            },
            md,
          ),
        admin,
      );
    }
    await directory.close();
    for (const [userid, base] of [
      ['alice', platform.gatewayUrl],
      ['bob', second.url],
      ['carol', second.url],
    ] as const) {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corp, account: userid, password: `${userid}-password` }),
      });
      tokens[userid] = ((await res.json()) as { accessToken: string }).accessToken;
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
    await second?.stop();
    await platform?.stop();
    const pg = new Client({ connectionString: testInfra.pgUrl() });
    await pg.connect();
    for (const s of ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'])
      await pg.query(`DROP DATABASE IF EXISTS "${prefix}_${s}" WITH (FORCE)`);
    await pg.end();
  });

  it('refuses a socket without a valid token', async () => {
    await expect(TestSocket.open<Frame>(platform.gatewayUrl, 'not-a-token')).rejects.toThrow('upgrade refused: 401');
  });

  it('delivers messages both ways between users on different gateway processes, and sync fills what a closed socket missed', async () => {
    const alice = await TestSocket.open<Frame>(platform.gatewayUrl, tokens.alice);
    const bob = await TestSocket.open<Frame>(second.url, tokens.bob);
    sockets.push(alice, bob);
    const { conversation } = (await api(platform.gatewayUrl, tokens.alice, 'POST', '/api/v1/conversations', {
      kind: 'group',
      name: 'Two replicas',
      members: ['bob'],
    })) as {
      conversation: { id: string };
    };
    const id = conversation.id;
    // bob's replica learns of the new group from his user channel before the first message.
    await eventually(() => bob.frames.some((f) => f.type === 'membership' && f.conversationId === id), Boolean, 10_000, 'bob joining live');

    await api(platform.gatewayUrl, tokens.alice, 'POST', `/api/v1/conversations/${id}/messages`, {
      clientMsgId: 'a1',
      type: 'text',
      content: { text: 'hi from replica 1' },
    });
    await api(second.url, tokens.bob, 'POST', `/api/v1/conversations/${id}/messages`, {
      clientMsgId: 'b1',
      type: 'text',
      content: { text: 'hi from replica 2' },
    });
    await eventually(
      () => bob.texts(id),
      (t) => t.length === 2,
      10_000,
      'bob receiving both',
    );
    await eventually(
      () => alice.texts(id),
      (t) => t.length === 2,
      10_000,
      'alice receiving both',
    );
    expect(bob.texts(id)).toEqual(['hi from replica 1', 'hi from replica 2']);
    expect(alice.texts(id)).toEqual(['hi from replica 1', 'hi from replica 2']);

    // Read receipts reach the sender live.
    const ask = (await api(platform.gatewayUrl, tokens.alice, 'POST', `/api/v1/conversations/${id}/messages`, {
      clientMsgId: 'a2',
      type: 'text',
      content: { text: 'please ack' },
    })) as { message: { seq: number } };
    const askSeq = ask.message.seq;
    await api(second.url, tokens.bob, 'POST', `/api/v1/conversations/${id}/read`, { seq: askSeq });
    await eventually(
      () => alice.frames.some((f) => f.type === 'read' && f.userid === 'bob' && f.seq === askSeq),
      Boolean,
      10_000,
      'the read receipt',
    );

    // bob goes offline; alice keeps talking; bob catches up in order with one sync call.
    await bob.close();
    for (let i = 1; i <= 3; i++) {
      await api(platform.gatewayUrl, tokens.alice, 'POST', `/api/v1/conversations/${id}/messages`, {
        clientMsgId: `offline-${i}`,
        type: 'text',
        content: { text: `missed ${i}` },
      });
    }
    const sync = (await api(second.url, tokens.bob, 'POST', '/api/v1/sync', { cursors: [{ conversationId: id, afterSeq: askSeq }] })) as {
      conversations: { conversation: { id: string }; messages: { seq: number; content: { text: string } }[] }[];
    };
    const caughtUp = sync.conversations.find((c) => c.conversation.id === id)!.messages;
    expect(caughtUp.map((m) => [m.seq, m.content.text])).toEqual([
      [askSeq + 1, 'missed 1'],
      [askSeq + 2, 'missed 2'],
      [askSeq + 3, 'missed 3'],
    ]);

    // A member added later is subscribed live on their replica.
    const carol = await TestSocket.open<Frame>(second.url, tokens.carol);
    sockets.push(carol);
    await api(platform.gatewayUrl, tokens.alice, 'POST', `/api/v1/conversations/${id}/members`, { userids: ['carol'] });
    await eventually(() => carol.frames.some((f) => f.type === 'membership' && f.conversationId === id), Boolean, 10_000, 'carol joining');
    const welcome = (await api(platform.gatewayUrl, tokens.alice, 'POST', `/api/v1/conversations/${id}/messages`, {
      clientMsgId: 'welcome',
      type: 'text',
      content: { text: 'welcome carol' },
    })) as { message: { seq: number } };
    await eventually(
      () => carol.texts(id),
      (t) => t.includes('welcome carol'),
      10_000,
      'carol receiving',
    );

    // Recalls reach every viewer.
    await api(platform.gatewayUrl, tokens.alice, 'POST', `/api/v1/conversations/${id}/messages/${welcome.message.seq}/recall`);
    await eventually(
      () => carol.frames.some((f) => f.type === 'recall' && f.seq === welcome.message.seq),
      Boolean,
      10_000,
      'the recall marker',
    );
  });

  it('answers pings and refuses unknown frames', async () => {
    const alice = await TestSocket.open<Frame>(platform.gatewayUrl, tokens.alice);
    sockets.push(alice);
    alice.ws.send(JSON.stringify({ type: 'ping' }));
    alice.ws.send('not json');
    await eventually(
      () => alice.frames.map((f) => f.type),
      (types) => types.includes('pong') && types.includes('error'),
      5_000,
      'pong and error',
    );
  });
  it('sends over the socket: an ack once stored, the same message for a resent frame, a clear error otherwise', async () => {
    const carol = await TestSocket.open<Frame>(second.url, tokens.carol);
    const alice = await TestSocket.open<Frame>(platform.gatewayUrl, tokens.alice);
    sockets.push(carol, alice);
    const { conversation } = (await api(second.url, tokens.carol, 'POST', '/api/v1/conversations', {
      kind: 'direct',
      members: ['alice'],
    })) as { conversation: { id: string } };
    const id = conversation.id;
    await eventually(() => alice.frames.some((f) => f.type === 'membership' && f.conversationId === id), Boolean, 10_000, 'alice joining');
    const frame = { type: 'send', conversationId: id, clientMsgId: 'ws-1', msgType: 'text', content: { text: 'over the socket' } };
    carol.ws.send(JSON.stringify(frame));
    const ack = await eventually(() => carol.frames.find((f) => f.type === 'ack' && f.clientMsgId === 'ws-1'), Boolean, 10_000, 'the ack');
    expect(ack).toMatchObject({ conversationId: id, seq: 1, created: true });
    await eventually(
      () => alice.texts(id),
      (t) => t.length === 1,
      10_000,
      'alice receiving it',
    );
    expect(alice.texts(id)).toEqual(['over the socket']);

    carol.ws.send(JSON.stringify(frame));
    await eventually(
      () => carol.frames.filter((f) => f.type === 'ack' && f.clientMsgId === 'ws-1'),
      (acks) => acks.length === 2,
      10_000,
      'the second ack',
    );
    expect(carol.frames.filter((f) => f.type === 'ack' && f.clientMsgId === 'ws-1')[1]).toMatchObject({ seq: 1, created: false });

    carol.ws.send(JSON.stringify({ ...frame, clientMsgId: 'ws-2', content: { text: '' } }));
    carol.ws.send(JSON.stringify({ ...frame, clientMsgId: 'ws-3', conversationId: '00000000-0000-4000-8000-000000000000' }));
    carol.ws.send(JSON.stringify({ type: 'send', clientMsgId: 'ws-4' }));
    const errors = await eventually(
      () => carol.frames.filter((f) => f.type === 'error' && typeof f.clientMsgId === 'string'),
      (list) => list.length === 3,
      10_000,
      'three errors',
    );
    expect(Object.fromEntries(errors.map((e) => [e.clientMsgId, e.code]))).toEqual({
      'ws-2': 'VALIDATION_FAILED',
      'ws-3': 'NOT_FOUND',
      'ws-4': 'VALIDATION_FAILED',
    });
    expect(alice.texts(id)).toEqual(['over the socket']);

    // A burst goes to messaging in batches: every frame acknowledged once, seqs without gaps, in the frames' order.
    for (let i = 0; i < 25; i += 1) carol.ws.send(JSON.stringify({ ...frame, clientMsgId: `burst-${i}`, content: { text: `b${i}` } }));
    const acks = await eventually(
      () => carol.frames.filter((f) => f.type === 'ack' && String(f.clientMsgId).startsWith('burst-')),
      (list) => list.length === 25,
      10_000,
      'the burst acknowledged',
    );
    expect(acks.every((a) => a.created === true)).toBe(true);
    const seqOf = new Map(acks.map((a) => [String(a.clientMsgId), Number(a.seq)]));
    expect(Array.from({ length: 25 }, (_, i) => seqOf.get(`burst-${i}`))).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));
    await eventually(
      () => alice.texts(id),
      (t) => t.length === 26,
      10_000,
      'alice receiving the burst',
    );
    expect(new Set(alice.texts(id)).size).toBe(26);
  });
});
