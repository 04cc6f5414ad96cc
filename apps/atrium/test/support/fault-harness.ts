import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { memberInput, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import WebSocket from 'ws';
import { ProcessPlatform, ProcessPlatformOptions, startServiceProcesses } from '../../src/service-processes';
import { createProcessCorp } from './process-corp';

export const dist = join(__dirname, '..', '..', '..', '..', 'dist');
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WireMessage {
  seq: number;
  clientMsgId: string;
}

export interface Answer {
  type: string;
  seq?: number;
  code?: string;
  retryAfterSeconds?: number;
}

/** Six service processes with a corp, two members signed in and a group of both: the scene of a fault test. */
export interface FaultScene {
  platform: ProcessPlatform;
  tokens: Record<'alice' | 'bob', string>;
  conversationId: string;
  call(
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }>;
}

export async function startFaultScene(
  options: Omit<ProcessPlatformOptions, 'identityKey' | 'jwtSecret' | 'gatewayPort' | 'distDir'>,
): Promise<FaultScene> {
  if (!existsSync(join(dist, 'services', 'gateway', 'src', 'main.js')))
    throw new Error("dist/ is missing: run 'npm run build' (npm test does)");
  const identityKey = randomBytes(32).toString('hex');
  const platform = await startServiceProcesses({
    ...options,
    identityKey,
    jwtSecret: randomBytes(32).toString('hex'),
    gatewayPort: 0,
    logLevel: options.logLevel ?? 'warn',
    distDir: dist,
  });
  const call: FaultScene['call'] = async (token, method, path, body) => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, headers: res.headers, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const corp = `fault-${uniqueSuffix()}`;
  const { admin, directory } = await createProcessCorp(platform, identityKey, corp, 'Fault Co');
  const tokens = {} as Record<'alice' | 'bob', string>;
  try {
    for (const userid of ['alice', 'bob'] as const) {
      await directory.call(
        'CreateMember',
        (d, md) =>
          d.createMember({ member: memberInput(userid, [1], { email: `${userid}@fault.test`, password: `${userid}-password` }) }, md),
        admin,
      );
      const res = await fetch(`${platform.gatewayUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corp, account: userid, password: `${userid}-password` }),
      });
      tokens[userid] = ((await res.json()) as { accessToken: string }).accessToken;
    }
  } finally {
    await directory.close();
  }
  const group = await call(tokens.alice, 'POST', '/api/v1/conversations', { kind: 'group', name: 'faults', members: ['bob'] });
  if (group.status !== 201) throw new Error(`creating the group failed: ${group.status} ${JSON.stringify(group.json)}`);
  return { platform, tokens, conversationId: (group.json.conversation as { id: string }).id, call };
}

export interface SenderReport {
  acked: Map<string, number>;
  /** Codes of the error frames and lost answers seen, with how often. */
  errors: Map<string, number>;
}

/**
 * A chat client over the WebSocket: one send at a time; an error frame, a lost socket or no answer
 * means the same send again with the same clientMsgId after a pause.
 */
export async function socketSender(
  scene: FaultScene,
  userid: 'alice' | 'bob',
  count: number,
  report: SenderReport,
  onAck: () => void = () => undefined,
  /** After `count` messages, sends on while this holds (paced by `pauseMs`). */
  keepGoing: () => boolean = () => false,
  pauseMs = 20,
): Promise<void> {
  let socket: WebSocket | undefined;
  const pending = new Map<string, (frame: Answer) => void>();
  const connect = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${scene.platform.gatewayUrl.replace('http', 'ws')}/ws`, {
        headers: { authorization: `Bearer ${scene.tokens[userid]}` },
      });
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as Answer & { clientMsgId?: string };
        if (frame.type === 'hello') resolve(ws);
        if (frame.clientMsgId) pending.get(frame.clientMsgId)?.(frame);
      });
      ws.on('close', () => {
        for (const settle of pending.values()) settle({ type: 'error', code: 'SOCKET_CLOSED' });
      });
      // The first error fails the connect; later ones (a socket dying under load) surface as its close.
      ws.on('error', reject);
    });
  for (let i = 0; i < count || keepGoing(); i += 1) {
    const clientMsgId = `${userid}-${i}`;
    for (;;) {
      if (!socket || socket.readyState !== WebSocket.OPEN) socket = await connect().catch(() => undefined);
      const answer: Answer = socket
        ? await new Promise<Answer>((resolve) => {
            const noAnswer = setTimeout(() => resolve({ type: 'error', code: 'NO_ANSWER' }), 15_000);
            pending.set(clientMsgId, (frame) => {
              clearTimeout(noAnswer);
              resolve(frame);
            });
            socket!.send(
              JSON.stringify({
                type: 'send',
                conversationId: scene.conversationId,
                clientMsgId,
                msgType: 'text',
                content: { text: clientMsgId },
              }),
            );
          })
        : { type: 'error', code: 'NO_SOCKET' };
      pending.delete(clientMsgId);
      if (answer.type === 'ack') {
        report.acked.set(clientMsgId, answer.seq!);
        onAck();
        await delay(pauseMs);
        break;
      }
      const code = answer.code ?? 'UNKNOWN';
      report.errors.set(code, (report.errors.get(code) ?? 0) + 1);
      await delay(answer.retryAfterSeconds ? 200 : 100);
    }
  }
  socket?.close();
}

/** Every message of the conversation, in sequence order. */
export async function allMessages(scene: FaultScene): Promise<WireMessage[]> {
  const messages: WireMessage[] = [];
  for (let after = 0; ;) {
    const page = await scene.call(
      scene.tokens.bob,
      'GET',
      `/api/v1/conversations/${scene.conversationId}/messages?afterSeq=${after}&limit=500`,
    );
    if (page.status !== 200) throw new Error(`sync failed: ${page.status}`);
    const batch = page.json.messages as WireMessage[];
    messages.push(...batch);
    if (!page.json.hasMore) break;
    after = batch[batch.length - 1].seq;
  }
  return messages;
}

/** Archive records of the conversation's messages: all of them and distinct events. */
export async function archiveCounts(scene: FaultScene): Promise<{ total: number; distinct: number }> {
  const audit = new Client({ connectionString: scene.platform.databaseUrls.audit });
  await audit.connect();
  try {
    const { rows } = await audit.query<{ total: number; distinct: number }>(
      `SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct FROM audit_records
        WHERE event_type = 'messaging.message.sent' AND conversation_id = $1`,
      [scene.conversationId],
    );
    return rows[0];
  } finally {
    await audit.end();
  }
}

/** Status of the gateway's /readyz, or 0 when it did not answer within a probe's second. */
export async function readyzStatus(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) })).status;
  } catch {
    return 0;
  }
}

/** A member's socket that only listens: the seqs of the `message` frames of the conversation, as they arrive. */
export interface SocketReceiver {
  /** Pushes received for the conversation, in arrival order (a repeated seq is a push sent twice). */
  frames: { seq: number; at: number }[];
  /** Seqs this client holds: pushed, or fetched by the resync after a reconnect. */
  seqs(): Set<number>;
  /** Messages the resyncs after reconnects fetched that no push had brought. */
  resynced(): number;
  reconnects(): number;
  close(): void;
}

/**
 * A listening client as the protocol asks clients to be: after a reconnect it syncs the
 * conversation after the last seq it holds, since pushes sent while it was away are not resent.
 */
export function socketReceiver(scene: FaultScene, userid: 'alice' | 'bob'): SocketReceiver {
  const frames: { seq: number; at: number }[] = [];
  const held = new Set<number>();
  let resynced = 0;
  let closed = false;
  let reconnects = 0;
  let socket: WebSocket | undefined;
  const resync = async () => {
    try {
      for (let after = held.size ? Math.max(...held) : 0; !closed;) {
        const page = await scene.call(
          scene.tokens[userid],
          'GET',
          `/api/v1/conversations/${scene.conversationId}/messages?afterSeq=${after}&limit=500`,
        );
        if (page.status !== 200) throw new Error(`resync answered ${page.status}`);
        const batch = page.json.messages as WireMessage[];
        for (const message of batch)
          if (!held.has(message.seq)) {
            held.add(message.seq);
            resynced++;
          }
        if (!page.json.hasMore || batch.length === 0) break;
        after = batch[batch.length - 1].seq;
      }
    } catch {
      // The platform may still be recovering: the next reconnect or the next push gap retries.
      if (!closed) setTimeout(() => void resync(), 1_000);
    }
  };
  const open = () => {
    socket = new WebSocket(`${scene.platform.gatewayUrl.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${scene.tokens[userid]}` },
    });
    socket.on('open', () => {
      if (reconnects > 0) void resync();
    });
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string; conversationId?: string; message?: { seq: number } };
      if (frame.type === 'message' && frame.conversationId === scene.conversationId && frame.message) {
        frames.push({ seq: frame.message.seq, at: Date.now() });
        held.add(frame.message.seq);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (closed) return;
      reconnects++;
      setTimeout(open, 200);
    });
  };
  open();
  return {
    frames,
    seqs: () => new Set(held),
    resynced: () => resynced,
    reconnects: () => reconnects,
    close() {
      closed = true;
      socket?.close();
    },
  };
}
