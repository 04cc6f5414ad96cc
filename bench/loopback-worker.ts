import { createServer, connect, Server, Socket } from 'node:net';

/**
 * One side of the loopback benchmark, forked so writer and reader each own an event loop (and a
 * core, when the machine has one free), as a gateway and its clients do.
 *
 * writer: listens, and on `run` writes one prebuilt 334-byte WebSocket text frame (the size of a
 * realtime message event) to every accepted socket `rate` times a second, for `seconds`.
 * reader: opens `sockets` connections and counts the reads and bytes that arrive.
 * Both answer with the CPU time (user, system) they spent between `run` and the end.
 */

export type LoopbackCommand =
  | { cmd: 'listen' }
  | { cmd: 'connect'; port: number; sockets: number }
  | { cmd: 'run'; rate: number; seconds: number; noDelay: boolean }
  | { cmd: 'finish' };

export interface LoopbackReply {
  port?: number;
  connected?: number;
  writes?: number;
  reads?: number;
  bytes?: number;
  userSeconds?: number;
  systemSeconds?: number;
  seconds?: number;
  error?: string;
}

const PAYLOAD_BYTES = 330;
const frame = Buffer.concat([Buffer.from([0x81, 126, PAYLOAD_BYTES >> 8, PAYLOAD_BYTES & 0xff]), Buffer.alloc(PAYLOAD_BYTES, 0x61)]);

let server: Server | undefined;
const accepted: Socket[] = [];
const opened: Socket[] = [];
let reads = 0;
let bytes = 0;
let writes = 0;
let started: { cpu: NodeJS.CpuUsage; at: number } | undefined;

function measure(): Pick<LoopbackReply, 'userSeconds' | 'systemSeconds' | 'seconds'> {
  if (!started) return {};
  const cpu = process.cpuUsage(started.cpu);
  return { userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6, seconds: (Date.now() - started.at) / 1000 };
}

function handle(command: LoopbackCommand): Promise<LoopbackReply> {
  switch (command.cmd) {
    case 'listen':
      return new Promise((resolve) => {
        server = createServer((socket) => accepted.push(socket));
        server.listen(0, '127.0.0.1', () => {
          const address = server?.address();
          resolve({ port: typeof address === 'object' && address ? address.port : 0 });
        });
      });
    case 'connect':
      return new Promise((resolve, reject) => {
        let connected = 0;
        for (let i = 0; i < command.sockets; i += 1) {
          const socket = connect(command.port, '127.0.0.1', () => {
            connected += 1;
            if (connected === command.sockets) resolve({ connected });
          });
          socket.on('data', (chunk: Buffer) => {
            reads += 1;
            bytes += chunk.length;
          });
          socket.once('error', reject);
          opened.push(socket);
        }
      });
    case 'run':
      reads = 0;
      bytes = 0;
      writes = 0;
      started = { cpu: process.cpuUsage(), at: Date.now() };
      if (accepted.length === 0) return Promise.resolve({});
      // ws sets TCP_NODELAY on every socket it accepts, so the benchmark does too unless told not to.
      for (const socket of accepted) socket.setNoDelay(command.noDelay);
      return new Promise((resolve) => {
        const interval = 1000 / command.rate;
        const end = Date.now() + command.seconds * 1000;
        let next = Date.now();
        const tick = () => {
          for (const socket of accepted) socket.write(frame);
          writes += accepted.length;
          next += interval;
          if (next >= end) {
            resolve({ writes, ...measure() });
            return;
          }
          setTimeout(tick, Math.max(0, next - Date.now()));
        };
        tick();
      });
    case 'finish':
      return Promise.resolve({ reads, bytes, ...measure() });
  }
}

process.on('message', (command: LoopbackCommand) => {
  handle(command).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => {
  for (const socket of [...accepted, ...opened]) socket.destroy();
  server?.close();
  process.exit(0);
});
