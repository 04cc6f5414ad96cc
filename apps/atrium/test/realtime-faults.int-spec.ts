import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, memberInput, PrivateRedis, startPrivateRedis, testInfra, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import WebSocket from 'ws';
import { ProcessPlatform, startServiceProcesses } from '../src/service-processes';
import { delay } from './support/wait';
import { createProcessCorp } from './support/process-corp';

const dist = join(__dirname, '..', '..', '..', 'dist');
/** A send still unanswered after this long is a hang (the fixed gateway answers within ~2 s). */
const SEND_PATIENCE_MS = 30_000;

interface Frame {
  type: string;
  conversationId?: string;
  clientMsgId?: string;
  seq?: number;
  code?: string;
  message?: { seq: number } | string;
  [key: string]: unknown;
}

/**
 * A chat client as the web client behaves: it applies pushed messages, syncs from its cursor after
 * every (re)connect and whenever the server sends `resync`, and reconnects to the next gateway
 * when its socket drops. It deliberately does NOT sync on a sequence gap: what reaches it must
 * come from a push or from a sync the server asked for, so a silent loss shows as a missed message.
 */
class ChatClient {
  readonly pushes = new Map<number, number>();
  readonly synced = new Set<number>();
  readonly closeCodes: number[] = [];
  resyncs = 0;
  lastResyncAt = 0;
  private ws?: WebSocket;
  private stopped = false;
  private syncing: Promise<void> = Promise.resolve();
  private baseIndex = 0;

  constructor(
    readonly userid: string,
    private readonly token: string,
    private readonly bases: string[],
    private readonly conversationId: string,
    private readonly fromSeq: number,
  ) {}

  /** Every seq this client holds, however it got it. */
  get known(): Set<number> {
    return new Set([...this.pushes.keys(), ...this.synced]);
  }

  get base(): string {
    return this.bases[this.baseIndex % this.bases.length];
  }

  async connect(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.open();
        this.resync();
        return;
      } catch {
        // That replica is gone or not ready: the next one, as a load balancer would route.
        this.baseIndex++;
        await delay(Math.min(2_000, 100 * (attempt + 1)));
      }
    }
  }

  private open(): Promise<void> {
    const ws = new WebSocket(`${this.base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${this.token}` } });
    return new Promise((resolve, reject) => {
      let hello = false;
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as Frame;
        if (frame.type === 'hello') {
          hello = true;
          this.ws = ws;
          resolve();
        } else this.onFrame(frame);
      });
      ws.once('error', (error) => {
        if (!hello) reject(error);
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('close', (code) => {
        if (!hello) return reject(new Error(`closed before hello: ${code}`));
        this.closeCodes.push(code);
        if (this.ws === ws) this.ws = undefined;
        if (!this.stopped) {
          this.baseIndex++;
          void this.connect();
        }
      });
    });
  }

  private onFrame(frame: Frame): void {
    if (frame.type === 'message' && frame.conversationId === this.conversationId && typeof frame.message === 'object') {
      const seq = frame.message.seq;
      this.pushes.set(seq, (this.pushes.get(seq) ?? 0) + 1);
    } else if (frame.type === 'resync') {
      this.resyncs++;
      this.lastResyncAt = Date.now();
      this.resync();
    }
  }

  /** Syncs from the first seq it does not hold; one sync at a time, retried while the edge is down. */
  resync(): void {
    this.syncing = this.syncing.then(() => this.syncOnce()).catch(() => undefined);
  }

  private async syncOnce(): Promise<void> {
    for (let attempt = 0; !this.stopped && attempt < 120; attempt++) {
      try {
        let after = this.cursor();
        for (;;) {
          const res = await fetch(`${this.base}/api/v1/conversations/${this.conversationId}/messages?afterSeq=${after}&limit=100`, {
            headers: { authorization: `Bearer ${this.token}` },
            signal: AbortSignal.timeout(15_000),
          });
          if (res.status !== 200) throw new Error(`sync → ${res.status}`);
          const page = (await res.json()) as { messages: { seq: number }[]; hasMore: boolean };
          for (const m of page.messages) this.synced.add(m.seq);
          if (!page.hasMore || page.messages.length === 0) return;
          after = page.messages[page.messages.length - 1].seq;
        }
      } catch {
        await delay(500);
      }
    }
  }

  private cursor(): number {
    const known = this.known;
    let seq = this.fromSeq;
    while (known.has(seq + 1)) seq++;
    return seq;
  }

  close(): void {
    this.stopped = true;
    this.ws?.close();
  }
}

/** The sender: a socket on one replica, each send timed from frame to answer. */
class Sender {
  private readonly waiting = new Map<string, (frame: Frame) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      if ((frame.type === 'ack' || frame.type === 'error') && frame.clientMsgId) this.waiting.get(frame.clientMsgId)?.(frame);
    });
  }

  static open(base: string, token: string): Promise<Sender> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
    return new Promise((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        if ((JSON.parse(data.toString('utf8')) as Frame).type === 'hello') resolve(new Sender(ws));
      });
      ws.once('error', reject);
    });
  }

  send(conversationId: string, clientMsgId: string): Promise<{ seq?: number; code?: string; ms: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(clientMsgId);
        resolve({ code: 'NO_ANSWER', ms: Date.now() - started });
      }, SEND_PATIENCE_MS);
      this.waiting.set(clientMsgId, (frame) => {
        clearTimeout(timer);
        this.waiting.delete(clientMsgId);
        resolve(frame.type === 'ack' ? { seq: frame.seq, ms: Date.now() - started } : { code: frame.code, ms: Date.now() - started });
      });
      this.ws.send(JSON.stringify({ type: 'send', conversationId, clientMsgId, msgType: 'text', content: { text: clientMsgId } }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Polls like `eventually`, but hands back the last value instead of throwing. */
async function settle<T>(read: () => T, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!accept(value) && Date.now() < deadline) {
    await delay(100);
    value = read();
  }
  return value;
}

/** Counts what every receiver got of the acknowledged messages, and how. */
function tally(receivers: ChatClient[], acked: number[]) {
  return receivers.map((r) => {
    const known = r.known;
    return {
      userid: r.userid,
      acked: acked.length,
      pushed: acked.filter((seq) => r.pushes.has(seq)).length,
      syncedOnly: acked.filter((seq) => !r.pushes.has(seq) && r.synced.has(seq)).length,
      missed: acked.filter((seq) => !known.has(seq)).length,
      pushedTwice: [...r.pushes.values()].filter((n) => n > 1).length,
      resyncs: r.resyncs,
      closes: r.closeCodes.length,
    };
  });
}

/**
 * Realtime delivery when what it runs on fails: the Redis behind pub/sub freezes and then dies,
 * and a gateway replica is killed with its sockets open. Six processes and a second gateway on
 * the shared PostgreSQL and Kafka, with a Redis server of this file's own.
 */
describe('realtime delivery under Redis outages and gateway replica loss', () => {
  let redis: PrivateRedis;
  let platform: ProcessPlatform;
  let second: Awaited<ReturnType<ProcessPlatform['addGatewayReplica']>>;
  const identityKey = randomBytes(32).toString('hex');
  const prefix = `rf${uniqueSuffix()}`;
  const corp = `rf-${uniqueSuffix()}`;
  const receiversIds = ['bob', 'carol', 'dave', 'erin'];
  const tokens: Record<string, string> = {};
  const clients: ChatClient[] = [];
  let sender: Sender | undefined;
  let conversationId = '';
  let baseSeq = 0;

  const login = (base: string, userid: string) =>
    fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corp, account: userid, password: `${userid}-password` }),
      signal: AbortSignal.timeout(SEND_PATIENCE_MS),
    });

  beforeAll(async () => {
    if (!existsSync(join(dist, 'services', 'gateway', 'src', 'main.js')))
      throw new Error("dist/ is missing: run 'npm run build' (npm test does)");
    redis = await startPrivateRedis();
    platform = await startServiceProcesses({
      pgAdminUrl: testInfra.pgUrl(),
      databasePrefix: prefix,
      kafkaBrokers: testInfra.kafkaBrokers(),
      topicPrefix: `${prefix}.`,
      redisUrl: redis.url,
      identityKey,
      jwtSecret: randomBytes(32).toString('hex'),
      gatewayPort: 0,
      logLevel: 'error',
      distDir: dist,
    });
    second = await platform.addGatewayReplica();
    const { admin, directory } = await createProcessCorp(platform, identityKey, corp, 'Faults Co');
    for (const userid of ['alice', ...receiversIds])
      await directory.call(
        'CreateMember',
        (d, md) => d.createMember({ member: memberInput(userid, [1], { email: `${userid}@rf.test`, password: `${userid}-password` }) }, md),
        admin,
      );
    await directory.close();
    for (const userid of ['alice', ...receiversIds]) {
      const res = await login(platform.gatewayUrl, userid);
      tokens[userid] = ((await res.json()) as { accessToken: string }).accessToken;
    }
    const res = await fetch(`${platform.gatewayUrl}/api/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'group', name: 'Faults', members: receiversIds }),
    });
    conversationId = ((await res.json()) as { conversation: { id: string } }).conversation.id;
    const page = await fetch(`${platform.gatewayUrl}/api/v1/conversations/${conversationId}/messages?afterSeq=0&limit=100`, {
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    baseSeq = ((await page.json()) as { lastSeq: number }).lastSeq;
    // bob and carol sit on the second replica (killed in the last test), dave and erin on the first.
    for (const [i, userid] of receiversIds.entries()) {
      const bases = i < 2 ? [second.url, platform.gatewayUrl] : [platform.gatewayUrl, second.url];
      const client = new ChatClient(userid, tokens[userid], bases, conversationId, baseSeq);
      await client.connect();
      clients.push(client);
    }
    sender = await Sender.open(platform.gatewayUrl, tokens.alice);
  }, 300_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    sender?.close();
    await second?.stop();
    await platform?.stop();
    await redis?.stop();
    const pg = new Client({ connectionString: testInfra.pgUrl() });
    await pg.connect();
    for (const s of ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'])
      await pg.query(`DROP DATABASE IF EXISTS "${prefix}_${s}" WITH (FORCE)`);
    await pg.end();
  }, 120_000);

  it('answers every send while Redis is frozen or down, and has every client resync once it is back: nothing missed, nothing pushed twice', async () => {
    const acked: number[] = [];
    const record = (results: { seq?: number; code?: string; ms: number }[]) => {
      for (const r of results) if (r.seq) acked.push(r.seq);
      return results;
    };

    for (let i = 0; i < 10; i++) record([await sender!.send(conversationId, `before-${i}`)]);
    await eventually(
      () => tally(clients, acked),
      (t) => t.every((r) => r.pushed === acked.length),
      30_000,
      'pushes before the outage',
    );

    // Frozen (a partition, a stalled host): connections stay open and nothing answers.
    redis.freeze();
    const frozen = record(await Promise.all(Array.from({ length: 10 }, (_, i) => sender!.send(conversationId, `frozen-${i}`))));
    const frozenRest = await fetch(`${platform.gatewayUrl}/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientMsgId: 'frozen-rest', type: 'text', content: { text: 'frozen-rest' } }),
      signal: AbortSignal.timeout(SEND_PATIENCE_MS),
    }).then(
      (r) => r.status,
      () => 0,
    );

    // Down: connections refused; ioredis keeps reconnecting with a growing backoff.
    await redis.stop('SIGKILL');
    const downStarted = Date.now();
    const down: { seq?: number; code?: string; ms: number }[] = [];
    while (Date.now() - downStarted < 20_000) {
      down.push(...record([await sender!.send(conversationId, `down-${down.length}`)]));
      await delay(250);
    }
    const started = Date.now();
    const downLogin = await login(platform.gatewayUrl, 'bob').then(
      async (r) => ({ status: r.status, code: ((await r.json()) as { code?: string }).code, ms: Date.now() - started }),
      () => ({ status: 0, code: 'NO_ANSWER', ms: Date.now() - started }),
    );
    const downUpgrade = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${platform.gatewayUrl.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${tokens.bob}` } });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        resolve(101);
        ws.close();
      });
      ws.once('error', () => resolve(0));
    });
    const outage = {
      frozen: {
        answered: frozen.filter((r) => r.code !== 'NO_ANSWER').length,
        of: frozen.length,
        slowestMs: Math.max(...frozen.map((r) => r.ms)),
      },
      frozenRestStatus: frozenRest,
      down: {
        sends: down.length,
        acked: down.filter((r) => r.seq).length,
        errors: down.filter((r) => r.code).map((r) => r.code),
        slowestMs: Math.max(...down.map((r) => r.ms)),
      },
      downLogin,
      downUpgrade,
    };
    console.log(`redis outage: ${JSON.stringify(outage)}`);
    const resyncsBefore = clients.map((c) => c.resyncs);

    await redis.start();
    const back = Date.now();
    // Figures first, assertions after: a failing run still shows what each client got.
    const told = await settle(
      () => clients.map((c, i) => c.resyncs > resyncsBefore[i]),
      (t) => t.every(Boolean),
      60_000,
    );
    const resyncedAfterMs = Math.max(...clients.map((c) => c.lastResyncAt)) - back;
    for (let i = 0; i < 10; i++) record([await sender!.send(conversationId, `after-${i}`)]);
    const final = await settle(
      () => tally(clients, acked),
      (t) => t.every((r) => r.missed === 0),
      told.every(Boolean) ? 60_000 : 10_000,
    );
    console.log(`redis back: ${JSON.stringify({ told, resyncedAfterMs, receivers: final })}`);

    // Storing needs PostgreSQL only: every send over the socket answered during the outage.
    expect(frozen.map((r) => r.code ?? 'ack')).toEqual(frozen.map(() => 'ack'));
    expect(down.map((r) => r.code ?? 'ack')).toEqual(down.map(() => 'ack'));
    // Revocations are recorded in PostgreSQL, which answers when the Redis cache cannot: the send is stored.
    expect(frozenRest).toBe(201);
    // The login throttle cannot count failures without Redis: logins fail closed.
    expect(downLogin).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    // A new socket is checked against the revocations in PostgreSQL and admitted; it resyncs like the others.
    expect(downUpgrade).toBe(101);
    // Pushes published during the outage were lost: every client is told to resync, and does.
    expect(told).toEqual(clients.map(() => true));
    for (const receiver of final) expect(receiver).toMatchObject({ missed: 0, pushedTwice: 0, closes: 0 });
  }, 240_000);

  it('moves the sockets of a replica killed with SIGKILL to the other one, which they resync from: nothing missed, nothing pushed twice', async () => {
    const acked: number[] = [];
    const onSecond = clients.slice(0, 2);
    const closesBefore = onSecond.map((c) => c.closeCodes.length);
    for (let i = 0; i < 60; i++) {
      if (i === 20) second.process.child.kill('SIGKILL');
      const result = await sender!.send(conversationId, `kill-${i}`);
      if (result.seq) acked.push(result.seq);
      await delay(50);
    }
    expect(acked).toHaveLength(60);
    await second.process.exited;
    const final = await eventually(
      () => tally(clients, acked),
      (t) => t.every((r) => r.missed === 0),
      60_000,
      'every receiver caught up',
    );
    console.log(`gateway kill -9: ${JSON.stringify(final)}`);
    for (const [i, client] of onSecond.entries()) expect(client.closeCodes.length).toBeGreaterThan(closesBefore[i]);
    for (const receiver of final) expect(receiver).toMatchObject({ missed: 0, pushedTwice: 0 });
  }, 180_000);
});
