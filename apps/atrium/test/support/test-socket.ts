import WebSocket from 'ws';

// Frames are free-form JSON that the assertions take apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface TestSocketOptions {
  /**
   * Whether `close()` drops the connection instead of the closing handshake: the handshake waits on
   * the server, which may be stopping too.
   */
  terminateOnClose?: boolean;
  /** How long `open` waits for `hello` before it fails with a message that says so. */
  helloTimeoutMs?: number;
}

export function wsUrl(baseUrl: string): string {
  return `${baseUrl.replace('http', 'ws')}/ws`;
}

/** A member's WebSocket to the gateway (the `ws` library), keeping every frame the server sent. */
export class TestSocket<F extends Json = Json> {
  readonly frames: F[] = [];

  private constructor(
    readonly ws: WebSocket,
    private readonly options: TestSocketOptions,
  ) {
    ws.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString('utf8')) as F));
  }

  /**
   * Resolves once the server said `hello`: only then is the socket attached to the user's
   * conversations. A refused upgrade, an error or a close before `hello` rejects.
   */
  static open<F extends Json = Json>(baseUrl: string, token: string, options: TestSocketOptions = {}): Promise<TestSocket<F>> {
    const ws = new WebSocket(wsUrl(baseUrl), { headers: { authorization: `Bearer ${token}` } });
    const socket = new TestSocket<F>(ws, options);
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(noHello);
        if (error) reject(error);
        else resolve(socket);
      };
      const noHello = setTimeout(() => {
        settle(new Error(`no hello within ${options.helloTimeoutMs ?? 30_000} ms`));
        ws.terminate();
      }, options.helloTimeoutMs ?? 30_000);
      ws.on('message', () => {
        if (socket.frames.some((f) => f.type === 'hello')) settle();
      });
      ws.once('error', (error) => settle(error));
      ws.once('unexpected-response', (_req, res) => {
        settle(new Error(`upgrade refused: ${res.statusCode}`));
        // With this listener `ws` leaves the refused request open; end it so nothing lingers.
        ws.terminate();
      });
      ws.once('close', (code) => settle(new Error(`closed before hello: ${code}`)));
    });
  }

  /** The frames of one type in one conversation (and of one message, given its seq). */
  of(type: string, conversationId: string, seq?: number): F[] {
    return this.frames.filter((f) => f.type === type && f.conversationId === conversationId && (seq === undefined || f.seq === seq));
  }

  /** The texts of the `message` frames of a conversation, in arrival order ('' for a message without text). */
  texts(conversationId: string): string[] {
    return this.of('message', conversationId).map((f) => (f.message?.content?.text as string | undefined) ?? '');
  }

  send(frame: Json): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      if (this.options.terminateOnClose) this.ws.terminate();
      else this.ws.close();
    });
  }
}
