import Redis from 'ioredis';
import { DomainError } from '../errors';
import { createFailFastRedis, dropIfTimedOut } from '../redis/fail-fast-redis';

/**
 * Short-lived shared state: rate-limit counters, revoked sessions. Redis in a cluster (shared by
 * every gateway replica), a map in embedded mode (one process). Values expire on their own.
 * While Redis is unreachable every call fails at once with `UNAVAILABLE` (never waits for the
 * outage to end); each caller decides whether that fails closed or open.
 */
export interface KvStore {
  /** Adds one to a counter whose window starts at its first increment; returns count and time left. */
  increment(key: string, windowSeconds: number): Promise<{ count: number; ttlMs: number }>;
  /** Current value of a counter and its time left, without changing it. */
  peek(key: string): Promise<{ count: number; ttlMs: number }>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the key only if it holds nothing; false when it already held a value. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class RedisKvStore implements KvStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = '',
    onError: (error: Error) => void = () => undefined,
  ) {
    // ioredis reconnects by itself; readiness reports the outage, the log gets one line per error.
    this.redis = createFailFastRedis(url, onError);
  }

  increment(key: string, windowSeconds: number): Promise<{ count: number; ttlMs: number }> {
    return unavailableOnFailure(this.redis, () => this.incrementOnce(key, windowSeconds));
  }

  private async incrementOnce(key: string, windowSeconds: number): Promise<{ count: number; ttlMs: number }> {
    const full = this.prefix + key;
    // NX: the window is fixed at the first increment, later ones do not extend it.
    const results = await this.redis
      .multi()
      .incr(full)
      .pexpire(full, windowSeconds * 1000, 'NX')
      .pttl(full)
      .exec();
    if (!results) throw new Error('redis transaction aborted');
    const [[incrError, count], , [ttlError, ttl]] = results;
    const failure = incrError ?? ttlError;
    if (failure) throw failure;
    return { count: Number(count), ttlMs: Math.max(0, Number(ttl)) };
  }

  peek(key: string): Promise<{ count: number; ttlMs: number }> {
    const full = this.prefix + key;
    return unavailableOnFailure(this.redis, async () => {
      const [value, ttl] = await Promise.all([this.redis.get(full), this.redis.pttl(full)]);
      return { count: value ? Number(value) : 0, ttlMs: Math.max(0, ttl) };
    });
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return unavailableOnFailure(this.redis, async () => {
      await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds);
    });
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return unavailableOnFailure(this.redis, async () => (await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds, 'NX')) === 'OK');
  }

  get(key: string): Promise<string | undefined> {
    return unavailableOnFailure(this.redis, async () => (await this.redis.get(this.prefix + key)) ?? undefined);
  }

  delete(key: string): Promise<void> {
    return unavailableOnFailure(this.redis, async () => {
      await this.redis.del(this.prefix + key);
    });
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

/** A Redis failure is an outage of the shared store to every caller: 503, not 500. */
async function unavailableOnFailure<T>(connection: Redis, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    dropIfTimedOut(connection, error);
    throw new DomainError('UNAVAILABLE', `the shared store (Redis) is unreachable: ${(error as Error).message}`);
  }
}

export class InMemoryKvStore implements KvStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  private live(key: string): { value: string; expiresAt: number } | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async increment(key: string, windowSeconds: number): Promise<{ count: number; ttlMs: number }> {
    const entry = this.live(key) ?? { value: '0', expiresAt: Date.now() + windowSeconds * 1000 };
    entry.value = String(Number(entry.value) + 1);
    this.entries.set(key, entry);
    return { count: Number(entry.value), ttlMs: entry.expiresAt - Date.now() };
  }

  async peek(key: string): Promise<{ count: number; ttlMs: number }> {
    const entry = this.live(key);
    return entry ? { count: Number(entry.value), ttlMs: entry.expiresAt - Date.now() } : { count: 0, ttlMs: 0 };
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return false;
    await this.set(key, value, ttlSeconds);
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
