import { createHash, Hash } from 'node:crypto';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { DomainError, ValidationError } from '../errors';

export interface BlobPutOptions {
  contentType: string;
  /** The body is refused (and nothing is kept) once it passes this many bytes. */
  maxBytes?: number;
}

export interface StoredBlob {
  size: number;
  /** Lower-case hex SHA-256 of the bytes as stored. */
  sha256: string;
}

export interface BlobInfo {
  size: number;
  contentType: string;
}

export interface BlobObject extends BlobInfo {
  stream: Readable;
}

/**
 * Where file bytes live: a directory in embedded mode, an S3-compatible bucket in a cluster.
 * Keys are written once and read many times; the registry of what a key holds (who uploaded it,
 * who may read it) is kept by the owning service, never here.
 */
export interface BlobStore {
  /** Streams the body in; the key appears only once every byte is durable. */
  put(key: string, body: Readable | Buffer, options: BlobPutOptions): Promise<StoredBlob>;
  get(key: string): Promise<BlobObject | undefined>;
  head(key: string): Promise<BlobInfo | undefined>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** A body went past its limit: nothing was stored. */
export class BlobTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super('PAYLOAD_TOO_LARGE', `the content is larger than ${maxBytes} bytes`, { maxBytes });
  }
}

/** The store has no room left (a full disk or quota): nothing of the body was kept; try later. */
export class BlobStoreFullError extends DomainError {
  constructor() {
    super('UNAVAILABLE', 'the media store is out of space; try again later', { reason: 'STORAGE_FULL' });
  }
}

// Segments of letters, digits, '_', '-' and '.', never starting with '.': no '..', no hidden
// files, nothing a filesystem or an S3 URL treats specially.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;
const MAX_KEY_LENGTH = 512;

/** Keys are the same in every adapter; one that could escape a directory never gets that far. */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || segments.length > 16 || !segments.every((s) => SEGMENT.test(s))) {
    throw new ValidationError(`invalid blob key ${JSON.stringify(key.slice(0, 80))}`, { field: 'key' });
  }
}

/**
 * Counts and hashes what flows through and fails the stream as soon as it passes `maxBytes`, so a
 * body over the limit is cut off while it streams rather than after it was read whole.
 */
export class MeteredStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new BlobTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** Valid once the stream has ended. */
  result(): StoredBlob {
    return { size: this.bytes, sha256: this.hash.digest('hex') };
  }
}

export function bodyStream(body: Readable | Buffer): Readable {
  return Buffer.isBuffer(body) ? Readable.from([body]) : body;
}
