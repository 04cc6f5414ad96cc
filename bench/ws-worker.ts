import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * A load-generator process holding WebSocket clients (forked by the messaging benchmark, so
 * receiving does not compete with sending for one event loop, and so no process needs more than
 * its 20,000 file descriptors). Receivers time each benchmark message they get: its text is
 * `bench|<key>|<sent at, epoch ms>`, and every process here reads the same clock.
 *
 * Commands arrive over the IPC channel; each gets exactly one reply with the same `id`.
 */

export interface SocketSpec {
  url: string;
  token: string;
  localAddress?: string;
}

export type WorkerCommand =
  { id: number; cmd: 'open'; sockets: SocketSpec[]; concurrency: number } | { id: number; cmd: 'report' } | { id: number; cmd: 'close' };

export interface KeyTally {
  key: string;
  count: number;
  maxMs: number;
}

export interface WorkerReply {
  id: number;
  error?: string;
  opened?: number;
  failed?: number;
  failures?: string[];
  /** Every delivery's latency (ms) since the last report. */
  samples?: number[];
  /** Per message key: deliveries and the latest one (ms after sending). */
  keys?: KeyTally[];
  open?: number;
}

const now = () => performance.timeOrigin + performance.now();
const sockets: WebSocket[] = [];
let samples: number[] = [];
let keys = new Map<string, { count: number; maxMs: number }>();

function onFrame(data: Buffer): void {
  const arrived = now();
  // Cheap pre-filter: only message frames carry the marker; receipts, pongs and hellos do not.
  const text = data.toString('utf8');
  const at = text.indexOf('bench|');
  if (at < 0 || !text.startsWith('{"type":"message"')) return;
  const end = text.indexOf('"', at);
  const [, key, sent] = text.slice(at, end).split('|');
  const latency = arrived - Number(sent);
  samples.push(latency);
  const tally = keys.get(key);
  if (tally) {
    tally.count += 1;
    if (latency > tally.maxMs) tally.maxMs = latency;
  } else keys.set(key, { count: 1, maxMs: latency });
}

function openOne(spec: SocketSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${spec.url.replace(/^http/, 'ws')}/ws`, {
      headers: { authorization: `Bearer ${spec.token}` },
      localAddress: spec.localAddress,
      perMessageDeflate: false,
    });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no hello within 60 s'));
    }, 60_000);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      if (!data.toString('utf8').startsWith('{"type":"hello"')) {
        ws.terminate();
        reject(new Error(`first frame was not hello: ${data.toString('utf8').slice(0, 100)}`));
        return;
      }
      ws.on('message', onFrame);
      sockets.push(ws);
      resolve();
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused: HTTP ${response.statusCode}`));
    });
  });
}

async function open(specs: SocketSpec[], concurrency: number): Promise<WorkerReply> {
  let next = 0;
  let failed = 0;
  const failures: string[] = [];
  const lane = async () => {
    while (next < specs.length) {
      const spec = specs[next];
      next += 1;
      await openOne(spec).catch((error: unknown) => {
        failed += 1;
        if (failures.length < 5) failures.push(error instanceof Error ? error.message : String(error));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return { id: 0, opened: specs.length - failed, failed, failures };
}

async function handle(command: WorkerCommand): Promise<WorkerReply> {
  switch (command.cmd) {
    case 'open':
      return { ...(await open(command.sockets, command.concurrency)), id: command.id };
    case 'report': {
      const reply: WorkerReply = {
        id: command.id,
        samples,
        keys: [...keys].map(([key, t]) => ({ key, count: t.count, maxMs: t.maxMs })),
        open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
      };
      samples = [];
      keys = new Map();
      return reply;
    }
    case 'close':
      await Promise.all(
        sockets.splice(0).map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === WebSocket.CLOSED) return resolve();
              ws.once('close', () => resolve());
              ws.terminate();
            }),
        ),
      );
      return { id: command.id };
  }
}

process.on('message', (command: WorkerCommand) => {
  handle(command).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ id: command.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
