import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, memberInput, testInfra, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import WebSocket from 'ws';
import { ProcessPlatform, startServiceProcesses } from '../src/service-processes';
import { delay } from './support/wait';
import { createProcessCorp } from './support/process-corp';

const dist = join(__dirname, '..', '..', '..', 'dist');

interface WireMessage {
  seq: number;
  clientMsgId: string;
  sender: string;
}

/**
 * The promise a chat client relies on: once the server acknowledged a message, it exists — even if
 * messaging is killed with SIGKILL a moment later — and a client that retries an unacknowledged
 * send with the same client message id gets exactly one copy. Six processes on the real servers.
 */
describe('kill -9 of messaging while messages are in flight', () => {
  let platform: ProcessPlatform;
  const identityKey = randomBytes(32).toString('hex');
  const prefix = `mc${uniqueSuffix()}`;
  const corp = `mc-${uniqueSuffix()}`;
  const tokens: Record<string, string> = {};
  let conversationId = '';

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
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
    const { admin, directory } = await createProcessCorp(platform, identityKey, corp, 'Crash Co');
    for (const userid of ['alice', 'bob']) {
      await directory.call(
        'CreateMember',
        (d, md) =>
          d.createMember({ member: memberInput(userid, [1], { email: `${userid}@crash.test`, password: `${userid}-password` }) }, md),
        admin,
      );
    }
    await directory.close();
    for (const userid of ['alice', 'bob']) {
      const res = await fetch(`${platform.gatewayUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corp, account: userid, password: `${userid}-password` }),
      });
      tokens[userid] = ((await res.json()) as { accessToken: string }).accessToken;
    }
    const group = await call(tokens.alice, 'POST', '/api/v1/conversations', { kind: 'group', name: 'crash', members: ['bob'] });
    expect(group.status).toBe(201);
    conversationId = (group.json.conversation as { id: string }).id;
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
    const pg = new Client({ connectionString: testInfra.pgUrl() });
    await pg.connect();
    for (const s of ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'])
      await pg.query(`DROP DATABASE IF EXISTS "${prefix}_${s}" WITH (FORCE)`);
    await pg.end();
  });

  it('keeps every acknowledged message, and a retried send yields exactly one copy', async () => {
    const PER_SENDER = 60;
    const acked = new Map<string, number>();
    let ackedAtKill = new Map<string, number>();
    let failures = 0;

    /** A client: sends its messages one after another; an unacknowledged send is retried with the same id. */
    const sender = async (userid: string, lane: number) => {
      for (let i = 0; i < PER_SENDER; i += 1) {
        const clientMsgId = `${userid}-${lane}-${i}`;
        for (;;) {
          const noAnswer: Awaited<ReturnType<typeof call>> = { status: 0, json: {} };
          const res = await call(tokens[userid], 'POST', `/api/v1/conversations/${conversationId}/messages`, {
            clientMsgId,
            type: 'text',
            content: { text: `message ${clientMsgId}` },
          }).catch(() => noAnswer);
          if (res.status === 201) {
            acked.set(clientMsgId, (res.json.message as WireMessage).seq);
            break;
          }
          // While messaging is down the gateway answers 503 (UNAVAILABLE), never a 4xx for a valid send.
          expect([0, 502, 503, 504]).toContain(res.status);
          failures += 1;
          await delay(100);
        }
      }
    };

    const killer = async () => {
      await eventually(
        () => acked.size,
        (n) => n >= 40,
        60_000,
        '40 acknowledged messages',
      );
      platform.processes.messaging.child.kill('SIGKILL');
      ackedAtKill = new Map(acked);
      await platform.processes.messaging.exited;
      await delay(500);
      await platform.restart('messaging');
    };

    await Promise.all([killer(), ...[0, 1].flatMap((lane) => [sender('alice', lane), sender('bob', lane)])]);
    expect(failures).toBeGreaterThan(0); // the kill did land while clients were sending

    const messages: WireMessage[] = [];
    for (let after = 0; ;) {
      const page = await call(tokens.bob, 'GET', `/api/v1/conversations/${conversationId}/messages?afterSeq=${after}&limit=500`);
      expect(page.status).toBe(200);
      const batch = page.json.messages as WireMessage[];
      messages.push(...batch);
      if (!page.json.hasMore) break;
      after = batch[batch.length - 1].seq;
    }
    const total = 4 * PER_SENDER;
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(messages.map((m) => m.clientMsgId)).size).toBe(total);
    const bySeq = new Map(messages.map((m) => [m.clientMsgId, m.seq]));
    for (const [clientMsgId, seq] of ackedAtKill) expect(bySeq.get(clientMsgId)).toBe(seq);
    for (const [clientMsgId, seq] of acked) expect(bySeq.get(clientMsgId)).toBe(seq);

    // Every message reached the archive once, through the outbox and Kafka, across the crash.
    const audit = new Client({ connectionString: platform.databaseUrls.audit });
    await audit.connect();
    try {
      const archived = await eventually(
        async () =>
          (
            await audit.query<{ total: number; distinct: number }>(
              `SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct FROM audit_records
                WHERE event_type = 'messaging.message.sent' AND conversation_id = $1`,
              [conversationId],
            )
          ).rows[0],
        (counts) => counts.total >= total,
        60_000,
        'every message archived',
      );
      expect(archived).toEqual({ total, distinct: total });
    } finally {
      await audit.end();
    }
  }, 240_000);
  it('over WebSocket (the gateway relays on one stream): a kill -9 and a graceful stop of messaging lose no acknowledged message', async () => {
    const group = await call(tokens.alice, 'POST', '/api/v1/conversations', { kind: 'group', name: 'crash over ws', members: ['bob'] });
    const groupId = (group.json.conversation as { id: string }).id;
    const PER_SENDER = 60;
    const acked = new Map<string, number>();
    let ackedAtStop = 0;
    let ackedAtKill = 0;
    const thresholds: { n: number; reached: () => void }[] = [];
    const acks = (n: number) => new Promise<void>((reached) => (acked.size >= n ? reached() : thresholds.push({ n, reached })));

    /** A socket client: one send at a time; an error frame or a lost socket means send it again, same id. */
    const sender = async (userid: string) => {
      let socket: WebSocket | undefined;
      const pending = new Map<string, (frame: { type: string; seq?: number; code?: string }) => void>();
      const connect = () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${platform.gatewayUrl.replace('http', 'ws')}/ws`, {
            headers: { authorization: `Bearer ${tokens[userid]}` },
          });
          ws.on('message', (data: Buffer) => {
            const frame = JSON.parse(data.toString('utf8')) as { type: string; clientMsgId?: string; seq?: number; code?: string };
            if (frame.type === 'hello') resolve(ws);
            if (frame.clientMsgId) pending.get(frame.clientMsgId)?.(frame);
          });
          ws.on('close', () => {
            for (const settle of pending.values()) settle({ type: 'error', code: 'SOCKET_CLOSED' });
          });
          ws.once('error', reject);
        });
      for (let i = 0; i < PER_SENDER; i += 1) {
        const clientMsgId = `ws-${userid}-${i}`;
        for (;;) {
          if (!socket || socket.readyState !== WebSocket.OPEN) socket = await connect().catch(() => undefined);
          const answer = socket
            ? await new Promise<{ type: string; seq?: number; code?: string }>((resolve) => {
                pending.set(clientMsgId, resolve);
                socket!.send(
                  JSON.stringify({ type: 'send', conversationId: groupId, clientMsgId, msgType: 'text', content: { text: clientMsgId } }),
                );
                setTimeout(() => resolve({ type: 'error', code: 'NO_ANSWER' }), 15_000);
              })
            : { type: 'error', code: 'NO_SOCKET' };
          pending.delete(clientMsgId);
          if (answer.type === 'ack') {
            acked.set(clientMsgId, answer.seq!);
            for (const t of thresholds) if (acked.size >= t.n) t.reached();
            // Paced like a person typing fast, so both disruptions land mid-conversation.
            await delay(20);
            break;
          }
          // A valid send is only ever refused as unavailable while messaging is away.
          expect(['UNAVAILABLE', 'SOCKET_CLOSED', 'NO_SOCKET', 'NO_ANSWER']).toContain(answer.code);
          await delay(100);
        }
      }
      socket?.close();
    };

    const disruptor = async () => {
      await acks(20);
      ackedAtKill = acked.size;
      platform.processes.messaging.child.kill('SIGKILL');
      await platform.processes.messaging.exited;
      await delay(500);
      await platform.restart('messaging');
      await acks(acked.size + 10);
      // Graceful: messaging answers what it took and ends the gateway's open stream. Otherwise the
      // gRPC server's drain would wait for that stream until the 25 s limit, which exits 1.
      ackedAtStop = acked.size;
      platform.processes.messaging.child.kill('SIGTERM');
      expect(await platform.processes.messaging.exited).toEqual({ code: 0, signal: null });
      await platform.restart('messaging');
    };

    await Promise.all([disruptor(), sender('alice'), sender('bob')]);
    // Both disruptions landed while clients were still sending.
    expect(ackedAtStop).toBeLessThan(2 * PER_SENDER);
    expect(ackedAtKill).toBeLessThan(2 * PER_SENDER);

    const page = await call(tokens.bob, 'GET', `/api/v1/conversations/${groupId}/messages?afterSeq=0&limit=500`);
    const messages = page.json.messages as WireMessage[];
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 2 * PER_SENDER }, (_, i) => i + 1));
    expect(new Set(messages.map((m) => m.clientMsgId)).size).toBe(2 * PER_SENDER);
    const bySeq = new Map(messages.map((m) => [m.clientMsgId, m.seq]));
    for (const [clientMsgId, seq] of acked) expect(bySeq.get(clientMsgId)).toBe(seq);
  }, 240_000);
});
