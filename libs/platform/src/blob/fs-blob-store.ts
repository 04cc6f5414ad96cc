import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertBlobKey,
  BlobInfo,
  BlobObject,
  BlobPutOptions,
  BlobStore,
  BlobStoreFullError,
  bodyStream,
  MeteredStream,
  StoredBlob,
} from './blob-store';

interface Sidecar {
  contentType: string;
  sha256: string;
}

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const isOutOfSpace = (error: unknown) => ['ENOSPC', 'EDQUOT'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Blobs as plain files under a root directory (embedded mode): `<root>/<key>` holds the bytes as
 * they were uploaded, a hidden `.<name>.meta` beside it the content type and hash. Keys never start
 * a segment with '.', so neither sidecars nor temporary files can collide with a key.
 *
 * A put writes a hidden temporary file, fsyncs it and renames it into place (then fsyncs the
 * directory): a reader sees the whole file or none, also across a crash. Two keys where one is a
 * "directory" of the other (`a` and `a/b`) cannot both exist here; the keys this platform writes
 * never do that.
 */
export class FsBlobStore implements BlobStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable | Buffer, options: BlobPutOptions): Promise<StoredBlob> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const meter = new MeteredStream(options.maxBytes);
    try {
      const file = await open(temp, 'wx', 0o640);
      try {
        const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => void file.write(chunk).then(() => done(), done) });
        await pipeline(bodyStream(body), meter, sink);
        await file.sync();
      } finally {
        await file.close();
      }
      const stored = meter.result();
      // The sidecar first: once the bytes are visible their metadata is too.
      await this.writeSidecar(path, { contentType: options.contentType || DEFAULT_CONTENT_TYPE, sha256: stored.sha256 });
      await rename(temp, path);
      await syncDirectory(dir);
      return stored;
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw isOutOfSpace(error) ? new BlobStoreFullError() : error;
    }
  }

  async get(key: string): Promise<BlobObject | undefined> {
    const path = this.pathOf(key);
    let file;
    try {
      file = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      // Read through the open descriptor: a delete while the body streams does not cut it short.
      const { size } = await file.stat();
      const { contentType } = await this.readSidecar(path);
      return { size, contentType, stream: file.createReadStream() };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const path = this.pathOf(key);
    let file;
    try {
      file = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const { size } = await file.stat();
      return { size, contentType: (await this.readSidecar(path)).contentType };
    } finally {
      await file.close();
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    for (const file of [path, sidecarOf(path)]) {
      await unlink(file).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    }
  }

  async ping(): Promise<boolean> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    const path = resolve(this.root, key);
    // assertBlobKey already rules out '..'; this holds even if that rule ever loosens.
    if (!path.startsWith(this.root + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  }

  private async writeSidecar(path: string, sidecar: Sidecar): Promise<void> {
    const target = sidecarOf(path);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const file = await open(temp, 'wx', 0o640);
      try {
        await file.writeFile(JSON.stringify(sidecar));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, target);
    } catch (error) {
      // A full disk fails here as well: leave no half-written sidecar behind.
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  private async readSidecar(path: string): Promise<Sidecar> {
    try {
      return JSON.parse(await readFile(sidecarOf(path), 'utf8')) as Sidecar;
    } catch (error) {
      // Bytes put there by hand (a restore, a migration) are still served.
      if (isMissing(error)) return { contentType: DEFAULT_CONTENT_TYPE, sha256: '' };
      throw error;
    }
  }
}

function sidecarOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.meta`);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
