import { randomBytes } from 'node:crypto';
import { connect, Socket } from 'node:net';

// Free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/**
 * Every uncaught exception and unhandled rejection in this process while a hostile test runs: the
 * whole platform runs in the test process, so a client that could stop a real gateway shows up here.
 */
export function watchForCrashes(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  return {
    errors,
    stop() {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}

/** A JSON client of the gateway's REST API. */
export function restClient(baseUrl: string) {
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
  };
  return {
    call,
    async login(corp: string, account: string, password: string): Promise<string> {
      const res = await call('POST', '/api/v1/auth/login', undefined, { corp, account, password });
      if (res.status !== 200) throw new Error(`login ${account}@${corp} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    async addMember(adminToken: string, userid: string, password: string): Promise<void> {
      const res = await call('POST', '/api/v1/directory/members', adminToken, {
        userid,
        name: userid,
        email: `${userid}@hostile.test`,
        departments: [{ departmentId: 1 }],
        password,
      });
      if (res.status !== 201) throw new Error(`add ${userid} → ${res.status} ${JSON.stringify(res.body)}`);
    },
    async group(token: string, members: string[]): Promise<string> {
      const res = await call('POST', '/api/v1/conversations', token, { kind: 'group', name: 'Hostile', members });
      if (res.status >= 300) throw new Error(`create group → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.conversation.id as string;
    },
    async healthy(): Promise<boolean> {
      const res = await fetch(`${baseUrl}/healthz`);
      return res.status === 200 && ((await res.json()) as Json).status === 'ok';
    },
  };
}

/** The well-behaved socket beside the hostile ones: the end-to-end `TestSocket`, under the name these suites know. */
export { TestSocket as JsonSocket } from './test-socket';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9 } as const;

export interface RawFrameOptions {
  opcode?: number;
  fin?: boolean;
  /** RSV1-3 as bits 0b100, 0b010, 0b001. */
  rsv?: number;
  masked?: boolean;
  /** Claim this payload length in the header whatever the payload is (e.g. 2^62). */
  claimedLength?: bigint;
}

/** One WebSocket frame exactly as given, however wrong. */
export function rawFrame(payload: Buffer, options: RawFrameOptions = {}): Buffer {
  const { opcode = OPCODE.text, fin = true, rsv = 0, masked = true } = options;
  const length = options.claimedLength ?? BigInt(payload.length);
  const first = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  let header: Buffer;
  if (length < 126n) header = Buffer.from([first, Number(length)]);
  else if (length < 65_536n) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(Number(length), 2);
    header[1] = 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(length, 2);
    header[1] = 127;
  }
  header[0] = first;
  if (!masked) return Buffer.concat([header, payload]);
  header[1] |= 0x80;
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([header, mask, body]);
}

/**
 * A WebSocket client on a bare TCP socket: it writes whatever bytes a test gives it and reads the
 * server's frames (text frames as JSON, and the close frame's code).
 */
export class RawSocket {
  readonly frames: Json[] = [];
  closeCode?: number;
  ended = false;
  private buffer = Buffer.alloc(0);

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => (this.ended = true));
  }

  static open(baseUrl: string, token: string): Promise<RawSocket> {
    const url = new URL(baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    return new Promise((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const status = head.subarray(0, end).toString('latin1').split('\r\n')[0];
        if (!status.includes(' 101 ')) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${status}`));
          return;
        }
        const raw = new RawSocket(socket);
        raw.buffer = head.subarray(end + 4);
        raw.parse();
        resolve(raw);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write(upgradeRequest(url.host, token));
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === OPCODE.text) this.frames.push(JSON.parse(payload.toString('utf8')) as Json);
      else if (opcode === OPCODE.close) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    }
  }
}

export function upgradeRequest(host: string, token: string, target = '/ws'): string {
  return [
    `GET ${target} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    `Authorization: Bearer ${token}`,
    '',
    '',
  ].join('\r\n');
}
