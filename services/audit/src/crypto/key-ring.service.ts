import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE, DomainError, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { createHmac, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { KEY_PROVIDER } from '../audit.tokens';
import { KeyProvider } from './key-provider';
import { Queryable } from '../queryable';
import { KeyPurpose, KeysRepository, StoredKey } from './keys.repository';

const INDEX_BUCKET = '1970-01-01';
/** Cached plaintext keys expire so that a shredded key stops working on every replica soon. */
const CACHE_TTL_MS = 60_000;
const TERM_CACHE_LIMIT = 200_000;

interface CachedKey {
  id: string;
  key: Buffer | null;
  expires: number;
  /** Created in a transaction not yet committed: not shared beyond it, never cached. */
  uncommitted?: boolean;
}

export interface RecordKey {
  id: string;
  key: Buffer;
}

const wrapContext = (k: { corpId: string; purpose: KeyPurpose; bucket: string }) =>
  `atrium-audit-data-key\u0000${k.corpId}\u0000${k.purpose}\u0000${k.bucket}`;

/**
 * The corp's data keys: created on first use (a random 256-bit key wrapped by the corp's current
 * KEK), unwrapped through the key provider, cached briefly. A key created inside a record's
 * transaction (embedded mode has one connection, so it must be) is cached only once a later lookup
 * finds it committed; concurrent creators of one key meet at its unique index.
 */
@Injectable()
export class KeyRing {
  private readonly byBucket = new Map<string, CachedKey>();
  private readonly byId = new Map<string, CachedKey>();
  private readonly termCache = new Map<string, Map<string, Buffer>>();
  /** In-flight loads per connection context (the pool, or one transaction). */
  private readonly loading = new WeakMap<object, Map<string, Promise<CachedKey>>>();

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(KEY_PROVIDER) private readonly provider: KeyProvider,
    private readonly keys: KeysRepository,
  ) {}

  /** Refuses to start on a database whose keys were wrapped by another root key. */
  async checkRootKey(): Promise<void> {
    const stored = await this.keys.fingerprint(this.db);
    if (stored === undefined) {
      await this.keys.recordFingerprint(this.db, this.provider.fingerprint);
      return;
    }
    if (stored !== this.provider.fingerprint) {
      throw new Error(
        `the audit archive was written under root key ${stored}, this process has ${this.provider.fingerprint}: set the original ATRIUM_AUDIT_MASTER_KEY`,
      );
    }
  }

  /** The key for records of a corp that occurred on `day` (YYYY-MM-DD, UTC). */
  async recordKey(corpId: string, day: string, db: Queryable = this.db): Promise<RecordKey> {
    const cached = await this.cached(this.byBucket, `${corpId}\u0000record\u0000${day}`, db, () =>
      this.loadOrCreate(corpId, 'record', day, db),
    );
    if (!cached.key) throw new DomainError('PRECONDITION_FAILED', `the archive key of ${day} was destroyed by retention`);
    return { id: cached.id, key: cached.key };
  }

  /** The plaintext key of a stored record, or null when retention destroyed it. */
  async keyById(corpId: string, id: string): Promise<Buffer | null> {
    const entry = await this.cached(this.byId, `${corpId}\u0000${id}`, this.db, async () => {
      const stored = await this.keys.byId(this.db, corpId, id);
      if (!stored) throw new Error(`data key ${id} of corp ${corpId} does not exist`);
      return this.unwrap(stored);
    });
    return entry.key;
  }

  /** The corp's blind-index term: HMAC-SHA256 under the index key, first 8 bytes as a bigint. */
  async termHasher(corpId: string, db: Queryable = this.db): Promise<(term: string) => string> {
    const keyed = await this.termKeyer(corpId, db);
    return (term) => keyed(term).readBigInt64BE(0).toString();
  }

  /** The same keyed terms as termHasher, as their 8 bytes (what a binary COPY writes); cached, not to be modified. */
  async termKeyer(corpId: string, db: Queryable = this.db): Promise<(term: string) => Buffer> {
    const entry = await this.cached(this.byBucket, `${corpId}\u0000index`, db, () => this.loadOrCreate(corpId, 'index', INDEX_BUCKET, db));
    const key = entry.key;
    if (!key) throw new Error(`the index key of corp ${corpId} is gone`);
    // A key not yet committed may still roll back: its terms are not kept beyond this call.
    let terms = entry.uncommitted ? new Map<string, Buffer>() : this.termCache.get(corpId);
    if (!terms) {
      terms = new Map();
      this.termCache.set(corpId, terms);
    }
    const cache = terms;
    return (term) => {
      let hashed = cache.get(term);
      if (hashed === undefined) {
        hashed = createHmac('sha256', key).update(term).digest().subarray(0, 8);
        if (cache.size >= TERM_CACHE_LIMIT) cache.clear();
        cache.set(term, hashed);
      }
      return hashed;
    };
  }

  /**
   * A key of the corp's for another purpose (an export's trace token), derived from its index
   * key: nothing more to store or rotate, and gone for nobody while the archive is readable.
   */
  async derivedKey(corpId: string, label: string): Promise<Buffer> {
    const entry = await this.cached(this.byBucket, `${corpId}\u0000index`, this.db, () =>
      this.loadOrCreate(corpId, 'index', INDEX_BUCKET, this.db),
    );
    if (!entry.key) throw new Error(`the index key of corp ${corpId} is gone`);
    return createHmac('sha256', entry.key).update(`atrium-audit-derived\u0000${label}`).digest();
  }

  /** A new KEK version for the corp; every live data key is re-wrapped under it in one transaction. */
  async rotate(corpId: string): Promise<{ kekVersion: number; rewrapped: number }> {
    return this.transactions.run(async (tx) => {
      const version = await this.keys.addKekVersion(tx, corpId);
      const live = await this.keys.liveKeysForUpdate(tx, corpId);
      for (const stored of live) {
        const plain = await this.provider.unwrapKey({ corpId, version: stored.kekVersion }, stored.wrappedKey!, wrapContext(stored));
        const wrapped = await this.provider.wrapKey({ corpId, version }, plain, wrapContext(stored));
        await this.keys.rewrap(tx, stored.id, version, wrapped);
      }
      return { kekVersion: version, rewrapped: live.length };
    });
  }

  /** Forgets cached plaintext keys (after crypto-shredding). */
  forget(corpId: string): void {
    for (const cache of [this.byBucket, this.byId]) {
      for (const id of cache.keys()) if (id.startsWith(`${corpId}\u0000`)) cache.delete(id);
    }
  }

  /** Concurrent callers of one key in one context share one load (a batch of thousands needs it once). */
  private async cached(cache: Map<string, CachedKey>, id: string, db: Queryable, load: () => Promise<CachedKey>): Promise<CachedKey> {
    const hit = cache.get(id);
    if (hit && hit.expires > Date.now()) return hit;
    let inFlight = this.loading.get(db);
    if (!inFlight) {
      inFlight = new Map();
      this.loading.set(db, inFlight);
    }
    let pending = inFlight.get(id);
    if (!pending) {
      const loads = inFlight;
      pending = load().finally(() => loads.delete(id));
      loads.set(id, pending);
    }
    const loaded = await pending;
    if (!loaded.uncommitted) cache.set(id, loaded);
    return loaded;
  }

  private async loadOrCreate(corpId: string, purpose: KeyPurpose, bucket: string, db: Queryable): Promise<CachedKey> {
    const found = await this.keys.find(db, corpId, purpose, bucket);
    if (found) return this.unwrap(found);
    const kekVersion = await this.keys.currentKekVersion(db, corpId);
    const plain = randomBytes(32);
    const wrappedKey = await this.provider.wrapKey({ corpId, version: kekVersion }, plain, wrapContext({ corpId, purpose, bucket }));
    const stored = await this.keys.insertIfAbsent(db, { corpId, purpose, bucket, kekVersion, wrappedKey });
    return { ...(await this.unwrap(stored)), uncommitted: db !== this.db };
  }

  private async unwrap(stored: StoredKey): Promise<CachedKey> {
    const expires = Date.now() + CACHE_TTL_MS;
    if (!stored.wrappedKey) return { id: stored.id, key: null, expires };
    const key = await this.provider.unwrapKey(
      { corpId: stored.corpId, version: stored.kekVersion },
      stored.wrappedKey,
      wrapContext(stored),
    );
    return { id: stored.id, key, expires };
  }
}
