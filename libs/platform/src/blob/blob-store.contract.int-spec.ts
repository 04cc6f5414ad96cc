import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { startS3TestServer } from './test/s3-test-server';

interface Adapter {
  store: BlobStore;
  /** Temporary files the adapter left behind (staging, half-written objects). */
  leftovers(): string[];
  teardown(): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body that arrives in pieces, as an upload does, optionally failing part-way. */
function trickle(bytes: Buffer, chunkSize = 64 * 1024, failAfter?: number): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += chunkSize) {
        if (failAfter !== undefined && offset >= failAfter) throw new Error('client went away');
        yield bytes.subarray(offset, offset + chunkSize);
      }
    })(),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * One behavioural contract for the blob store, run against a directory (embedded mode) and a real
 * S3-compatible server (a cluster): the same guarantees in both, or embedded mode would hide bugs.
 */
function blobStoreContract(name: string, open: () => Promise<Adapter>) {
  describe(`blob store contract (${name})`, () => {
    let adapter: Adapter;
    let store: BlobStore;
    const key = (label: string) => `media/corp-${name}/${label}-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      adapter = await open();
      store = adapter.store;
    }, 120_000);

    afterAll(async () => {
      await adapter?.teardown();
    });

    it('answers its readiness check', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('gives back the bytes it stored, with their size, hash and content type', async () => {
      const bytes = randomBytes(300_000);
      const k = key('roundtrip');
      const stored = await store.put(k, trickle(bytes), { contentType: 'image/png' });
      expect(stored).toEqual({ size: bytes.length, sha256: sha256(bytes) });
      expect(await store.head(k)).toEqual({ size: bytes.length, contentType: 'image/png' });
      const object = await store.get(k);
      expect(object).toMatchObject({ size: bytes.length, contentType: 'image/png' });
      expect((await readAll(object!.stream)).equals(bytes)).toBe(true);
    });

    it('stores a buffer and an empty body', async () => {
      const k = key('buffer');
      expect(await store.put(k, Buffer.from('hello'), { contentType: 'text/plain' })).toEqual({
        size: 5,
        sha256: sha256(Buffer.from('hello')),
      });
      expect((await readAll((await store.get(k))!.stream)).toString()).toBe('hello');
      const empty = key('empty');
      expect(await store.put(empty, trickle(Buffer.alloc(0)), { contentType: 'application/octet-stream' })).toEqual({
        size: 0,
        sha256: sha256(Buffer.alloc(0)),
      });
      expect((await store.head(empty))?.size).toBe(0);
    });

    it('streams a body of several megabytes through without changing a byte', async () => {
      const bytes = randomBytes(6 * 1024 * 1024 + 17);
      const k = key('large');
      expect((await store.put(k, trickle(bytes, 256 * 1024), { contentType: 'video/mp4', maxBytes: bytes.length })).sha256).toBe(
        sha256(bytes),
      );
      const back = await readAll((await store.get(k))!.stream);
      expect(back.length).toBe(bytes.length);
      expect(sha256(back)).toBe(sha256(bytes));
    });

    it('refuses a body past its limit while it streams, and keeps nothing of it', async () => {
      const k = key('too-large');
      let pulled = 0;
      const body = Readable.from(
        (function* () {
          // Endless: only a limit enforced while streaming ends this upload.
          for (;;) {
            pulled += 64 * 1024;
            yield randomBytes(64 * 1024);
          }
        })(),
      );
      await expect(store.put(k, body, { contentType: 'image/png', maxBytes: 1024 * 1024 })).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        details: { maxBytes: 1024 * 1024 },
      });
      expect(pulled).toBeLessThan(2 * 1024 * 1024);
      expect(await store.head(k)).toBeUndefined();
      expect(await store.get(k)).toBeUndefined();
      await expect(store.put(k, randomBytes(2049), { contentType: 'image/png', maxBytes: 2048 })).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
      });
      expect(await store.head(k)).toBeUndefined();
      expect(adapter.leftovers()).toEqual([]);
    });

    it('accepts a body of exactly its limit', async () => {
      const bytes = randomBytes(4096);
      const k = key('exact');
      await store.put(k, trickle(bytes, 1000), { contentType: 'application/pdf', maxBytes: 4096 });
      expect((await store.head(k))?.size).toBe(4096);
    });

    it('keeps nothing when the body fails part-way', async () => {
      const k = key('broken');
      await expect(store.put(k, trickle(randomBytes(512 * 1024), 64 * 1024, 200 * 1024), { contentType: 'image/png' })).rejects.toThrow(
        'client went away',
      );
      expect(await store.head(k)).toBeUndefined();
      expect(adapter.leftovers()).toEqual([]);
    });

    it('replaces an object written again under the same key', async () => {
      const k = key('again');
      await store.put(k, Buffer.from('first'), { contentType: 'text/plain' });
      await store.put(k, Buffer.from('second!'), { contentType: 'text/markdown' });
      const object = await store.get(k);
      expect(object).toMatchObject({ size: 7, contentType: 'text/markdown' });
      expect((await readAll(object!.stream)).toString()).toBe('second!');
    });

    it('deletes, and deleting what is not there is no error', async () => {
      const k = key('delete');
      await store.put(k, Buffer.from('bye'), { contentType: 'text/plain' });
      await store.delete(k);
      expect(await store.get(k)).toBeUndefined();
      await expect(store.delete(k)).resolves.toBeUndefined();
      await expect(store.delete(key('never-written'))).resolves.toBeUndefined();
    });

    it.each([
      '../escape',
      'media/../../etc/passwd',
      '/absolute',
      'media//double',
      '.hidden',
      'media/.meta',
      'trailing/',
      '',
      'a b',
      'x\\y',
    ])('refuses the key %j', async (bad) => {
      await expect(store.put(bad, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(store.get(bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(store.delete(bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('keeps concurrent writers to different keys apart', async () => {
      const bodies = Array.from({ length: 8 }, () => randomBytes(100_000));
      const keys = bodies.map((_, i) => key(`parallel-${i}`));
      await Promise.all(bodies.map((b, i) => store.put(keys[i], trickle(b, 10_000), { contentType: 'application/octet-stream' })));
      for (const [i, k] of keys.entries()) expect(sha256(await readAll((await store.get(k))!.stream))).toBe(sha256(bodies[i]));
    });
  });
}

blobStoreContract('fs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'atrium-blobs-'));
  return {
    store: new FsBlobStore(root),
    leftovers: () => filesUnder(root).filter((f) => f.endsWith('.tmp')),
    teardown: async () => rmSync(root, { recursive: true, force: true }),
  };
});

blobStoreContract('s3', async () => {
  const server = await startS3TestServer();
  const spoolDir = mkdtempSync(join(tmpdir(), 'atrium-spool-'));
  const store = new S3BlobStore({ ...server.options, spoolDir });
  return {
    store,
    leftovers: () => filesUnder(spoolDir),
    teardown: async () => {
      await store.close();
      await server.stop();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
});
