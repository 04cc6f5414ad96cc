import { Agent, request } from 'node:http';

/**
 * A lean HTTP/1.1 client for the load generator: node:http over a keep-alive Agent, so every
 * request of a phase reuses one pool of connections and the generator spends little CPU on the
 * client side (on a small machine it shares the cores with the platform).
 */
export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    maxSockets: number,
    private readonly timeoutMs = 30_000,
    /** Source address of the connections (another loopback address is another client IP to the gateway). */
    private readonly localAddress?: string,
  ) {
    this.base = new URL(baseUrl);
    if (this.base.protocol !== 'http:') throw new Error(`only http:// targets are supported, got ${baseUrl}`);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json', ...req.headers };
      if (req.body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(req.body);
      }
      const outgoing = request(
        {
          agent: this.agent,
          hostname: this.base.hostname,
          port: this.base.port || 80,
          method: req.method,
          path: req.path,
          headers,
          localAddress: this.localAddress,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          incoming.on('error', reject);
        },
      );
      outgoing.setTimeout(this.timeoutMs, () => outgoing.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  /** Closes the pooled connections; call at the end of a phase so idle sockets never outlive it. */
  close(): void {
    this.agent.destroy();
  }
}
