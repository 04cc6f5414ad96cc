import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../errors';
import {
  assertBlobKey,
  BlobInfo,
  BlobObject,
  BlobPutOptions,
  BlobStore,
  BlobStoreFullError,
  BlobTooLargeError,
  bodyStream,
  MeteredStream,
  StoredBlob,
} from './blob-store';
import { EMPTY_SHA256, signV4, uriEncode } from './sigv4';

export interface S3BlobStoreOptions {
  /** `https://s3.eu-west-1.amazonaws.com`, `http://minio.storage:9000`, … */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` (most self-hosted stores) instead of `https://bucket.endpoint/key`. */
  forcePathStyle: boolean;
  /** Where a streamed body is staged before upload; the system temp dir by default. */
  spoolDir?: string;
  /** Socket inactivity before a request fails. */
  timeoutMs?: number;
}

interface S3Response {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
}

/** The store refused or failed a request: the caller sees UNAVAILABLE, the log the store's answer. */
export class ObjectStoreError extends DomainError {
  constructor(operation: string, status: number, detail: string) {
    super('UNAVAILABLE', `object store ${operation} failed (${status || 'no response'}${detail ? `: ${detail}` : ''})`, { status });
  }
}

const drain = (body: IncomingMessage) => body.resume();

async function readText(body: IncomingMessage, limit = 4096): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    if (text.length < limit) text += (chunk as Buffer).toString('utf8');
  }
  return text;
}

/** The `<Code>` of an S3 XML error, or the status line when there is none. */
async function errorDetail(response: S3Response): Promise<string> {
  const text = await readText(response.body).catch(() => '');
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '';
}

/**
 * Blobs in an S3-compatible bucket (a cluster), signed with SigV4 and spoken over plain HTTP(S):
 * four verbs do not need an SDK. S3 wants the length of a body up front and the streams handed in
 * here have none, so a streamed body is first staged on local disk while it is counted, hashed and
 * held to its limit; only a complete body within the limit is sent, with its SHA-256 signed as the
 * payload hash (the store verifies it). Memory stays flat whatever the size.
 */
export class S3BlobStore implements BlobStore {
  private readonly endpoint: URL;
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.endpoint = new URL(options.endpoint);
    if (!/^https?:$/.test(this.endpoint.protocol)) throw new Error(`S3 endpoint must be http(s): ${options.endpoint}`);
    this.agent = this.endpoint.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async put(key: string, body: Readable | Buffer, options: BlobPutOptions): Promise<StoredBlob> {
    assertBlobKey(key);
    if (Buffer.isBuffer(body)) {
      if (options.maxBytes !== undefined && body.length > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
      const stored = { size: body.length, sha256: createHash('sha256').update(body).digest('hex') };
      await this.upload(key, () => Readable.from([body]), stored, options.contentType);
      return stored;
    }
    const spool = join(this.options.spoolDir ?? tmpdir(), `atrium-blob-${randomBytes(8).toString('hex')}`);
    try {
      const meter = new MeteredStream(options.maxBytes);
      await pipeline(bodyStream(body), meter, createWriteStream(spool, { flags: 'wx', mode: 0o600 })).catch((error: unknown) => {
        // The spool's disk is full: the same answer as a full bucket.
        throw ['ENOSPC', 'EDQUOT'].includes((error as NodeJS.ErrnoException).code ?? '') ? new BlobStoreFullError() : error;
      });
      const stored = meter.result();
      await this.upload(key, () => createReadStream(spool), stored, options.contentType);
      return stored;
    } finally {
      await unlink(spool).catch(() => undefined);
    }
  }

  async get(key: string): Promise<BlobObject | undefined> {
    assertBlobKey(key);
    const response = await this.send('GET', key);
    if (response.status === 404) return void drain(response.body);
    if (response.status !== 200) throw new ObjectStoreError('get', response.status, await errorDetail(response));
    return { stream: response.body, ...this.infoOf(response) };
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    assertBlobKey(key);
    const response = await this.send('HEAD', key);
    drain(response.body);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new ObjectStoreError('head', response.status, '');
    return this.infoOf(response);
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    const response = await this.send('DELETE', key);
    if (response.status === 204 || response.status === 200 || response.status === 404) return void drain(response.body);
    throw new ObjectStoreError('delete', response.status, await errorDetail(response));
  }

  /** The bucket answers (and the credentials are accepted). */
  async ping(): Promise<boolean> {
    try {
      const response = await this.send('HEAD', undefined);
      drain(response.body);
      return response.status === 200;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private infoOf(response: S3Response): BlobInfo {
    return {
      size: Number(response.headers['content-length'] ?? 0),
      contentType: String(response.headers['content-type'] ?? 'application/octet-stream'),
    };
  }

  private async upload(key: string, open: () => Readable, stored: StoredBlob, contentType: string): Promise<void> {
    const response = await this.send('PUT', key, {
      body: open(),
      payloadHash: stored.sha256,
      headers: {
        'content-length': String(stored.size),
        'content-type': contentType || 'application/octet-stream',
        'x-amz-meta-sha256': stored.sha256,
      },
    });
    // 507: S3-compatible stores (MinIO) out of disk.
    if (response.status === 507) throw new BlobStoreFullError();
    if (response.status !== 200) throw new ObjectStoreError('put', response.status, await errorDetail(response));
    drain(response.body);
  }

  private target(key: string | undefined): { host: string; path: string } {
    const encodedKey = key === undefined ? '' : key.split('/').map(uriEncode).join('/');
    const base = this.endpoint.pathname.replace(/\/+$/, '');
    if (this.options.forcePathStyle) {
      return { host: this.endpoint.host, path: `${base}/${uriEncode(this.options.bucket)}${key === undefined ? '' : `/${encodedKey}`}` };
    }
    return { host: `${this.options.bucket}.${this.endpoint.host}`, path: `${base}/${encodedKey}` };
  }

  private send(
    method: 'GET' | 'HEAD' | 'PUT' | 'DELETE',
    key: string | undefined,
    upload?: { body: Readable; payloadHash: string; headers: Record<string, string> },
  ): Promise<S3Response> {
    const { host, path } = this.target(key);
    const payloadHash = upload?.payloadHash ?? EMPTY_SHA256;
    const headers = signV4(
      { method, path, headers: { ...upload?.headers, host, 'x-amz-content-sha256': payloadHash }, payloadHash, date: new Date() },
      {
        accessKeyId: this.options.accessKeyId,
        secretAccessKey: this.options.secretAccessKey,
        region: this.options.region,
        service: 's3',
      },
    );
    const request = this.endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<S3Response>((resolve, reject) => {
      const req = request(
        {
          protocol: this.endpoint.protocol,
          hostname: this.options.forcePathStyle ? this.endpoint.hostname : `${this.options.bucket}.${this.endpoint.hostname}`,
          port: this.endpoint.port || undefined,
          method,
          path,
          headers,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      req.on('timeout', () => req.destroy(new ObjectStoreError(method.toLowerCase(), 0, 'timed out')));
      req.on('error', (error) =>
        reject(error instanceof DomainError ? error : new ObjectStoreError(method.toLowerCase(), 0, error.message)),
      );
      if (upload) {
        pipeline(upload.body, req).catch((error: Error) => req.destroy(error));
      } else {
        req.end();
      }
    });
  }
}
