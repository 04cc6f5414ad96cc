import { Json } from './test-socket';

/**
 * An answer of the gateway: the status, the body as JSON (`{}` when empty, `{ unparsable: text }`
 * when not JSON, so that comparing bodies still compares what came), the text and the headers.
 */
export interface ApiReply {
  status: number;
  body: Json;
  text: string;
  headers: Headers;
}

export interface CallOptions {
  /** Sent as a bearer token. */
  token?: string;
  /** JSON-encoded, unless a string: a string goes as it is (to send what JSON.stringify would not). */
  body?: unknown;
  /** The content type of the body; JSON unless said otherwise. */
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * A client of the gateway's HTTP API. It takes the base URL as a function because the platform it
 * talks to starts in `beforeAll`, after the spec has built its helpers.
 */
export class HttpApi {
  constructor(private readonly baseUrl: () => string) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiReply> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const res = await fetch(`${this.baseUrl()}${path}`, {
      method,
      headers: { ...headers, ...options.headers },
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await res.text();
    let body: Json = {};
    try {
      body = text ? (JSON.parse(text) as Json) : {};
    } catch {
      // A file (an export) or a proxy's page: the text is all there is.
      body = { unparsable: text };
    }
    return { status: res.status, body, text, headers: res.headers };
  }

  /** A call that must succeed: its body. */
  async ok(method: string, path: string, options: CallOptions = {}): Promise<Json> {
    const reply = await this.call(method, path, options);
    if (reply.status >= 400) throw new Error(`${method} ${path} → ${reply.status} ${reply.text.slice(0, 300)}`);
    return reply.body;
  }

  /** Signs in over REST: the access and refresh tokens; throws when refused. */
  async session(corp: string, account: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
    const reply = await this.call('POST', '/api/v1/auth/login', { body: { corp, account, password } });
    if (!reply.body.accessToken) throw new Error(`login ${account}@${corp}: ${reply.status} ${reply.text}`);
    return reply.body as { accessToken: string; refreshToken: string };
  }

  /** Signs in over REST: the access token; throws when refused. */
  async login(corp: string, account: string, password: string): Promise<string> {
    return (await this.session(corp, account, password)).accessToken;
  }
}
