import { eventually, testInfra, uniqueSuffix } from '@atrium/testing';
import { InMemoryKvStore, KvStore, RedisKvStore } from '../kv';
import { InProcessPubSub, PubSub, RedisPubSub } from './pubsub';

/** One contract for realtime fan-out, run against Redis and the in-process twin. */
function pubSubContract(adapter: string, make: () => PubSub) {
  describe(`pub/sub contract (${adapter})`, () => {
    let a: PubSub;
    let b: PubSub;
    beforeAll(() => {
      // Two instances stand for two gateway replicas (the in-process twin is one process: shared).
      a = make();
      b = adapter === 'in-process' ? a : make();
    });
    afterAll(async () => {
      await a.close();
      if (b !== a) await b.close();
    });

    it('delivers a message to every subscriber of the channel, across instances, in order', async () => {
      const channel = `user.${uniqueSuffix()}`;
      const first: string[] = [];
      const second: string[] = [];
      await a.subscribe(channel, (m) => first.push(m));
      await b.subscribe(channel, (m) => second.push(m));
      for (let i = 0; i < 10; i++) await b.publish(channel, `m${i}`);
      const expected = Array.from({ length: 10 }, (_, i) => `m${i}`);
      await eventually(
        () => [first.length, second.length],
        ([x, y]) => x === 10 && y === 10,
        15_000,
        'both subscribers',
      );
      expect(first).toEqual(expected);
      expect(second).toEqual(expected);
    });

    it('does not deliver to other channels', async () => {
      const mine = `user.${uniqueSuffix()}`;
      const other = `user.${uniqueSuffix()}`;
      const got: string[] = [];
      await a.subscribe(mine, (m) => got.push(m));
      await b.publish(other, 'not for you');
      await b.publish(mine, 'for you');
      await eventually(
        () => got.length,
        (n) => n >= 1,
        15_000,
        'delivery',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(got).toEqual(['for you']);
    });

    it('stops delivering after unsubscribe, while other handlers keep receiving', async () => {
      const channel = `user.${uniqueSuffix()}`;
      const gone: string[] = [];
      const stays: string[] = [];
      const unsubscribe = await a.subscribe(channel, (m) => gone.push(m));
      await a.subscribe(channel, (m) => stays.push(m));
      await b.publish(channel, 'one');
      await eventually(
        () => gone.length + stays.length,
        (n) => n === 2,
        15_000,
        'first delivery',
      );
      await unsubscribe();
      await b.publish(channel, 'two');
      await eventually(
        () => stays.length,
        (n) => n === 2,
        15_000,
        'second delivery',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(gone).toEqual(['one']);
      expect(stays).toEqual(['one', 'two']);
    });

    it('answers ping', async () => {
      expect(await a.ping()).toBe(true);
    });
  });
}

function kvContract(adapter: string, make: () => KvStore) {
  describe(`key-value contract (${adapter})`, () => {
    let kv: KvStore;
    beforeAll(() => (kv = make()));
    afterAll(() => kv.close());

    it('counts within a fixed window that later increments do not extend', async () => {
      const key = `counter:${uniqueSuffix()}`;
      const first = await kv.increment(key, 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await kv.increment(key, 2);
      expect(first.count).toBe(1);
      expect(second.count).toBe(2);
      expect(second.ttlMs).toBeLessThanOrEqual(1_750);
      expect(second.ttlMs).toBeGreaterThan(0);
      expect(await kv.peek(key)).toEqual({ count: 2, ttlMs: expect.any(Number) });
    });

    it('forgets a counter when its window ends', async () => {
      const key = `counter:${uniqueSuffix()}`;
      await kv.increment(key, 1);
      await eventually(
        () => kv.peek(key),
        (v) => v.count === 0,
        3_000,
        'expiry',
      );
      expect((await kv.increment(key, 1)).count).toBe(1);
    });

    it('stores, reads, expires and deletes values', async () => {
      const key = `value:${uniqueSuffix()}`;
      await kv.set(key, 'v', 1);
      expect(await kv.get(key)).toBe('v');
      await eventually(
        () => kv.get(key),
        (v) => v === undefined,
        3_000,
        'expiry',
      );
      await kv.set(key, 'w', 60);
      await kv.delete(key);
      expect(await kv.get(key)).toBeUndefined();
    });

    it('sets a value only where none is held', async () => {
      const key = `once:${uniqueSuffix()}`;
      expect(await kv.setIfAbsent(key, 'first', 60)).toBe(true);
      expect(await kv.setIfAbsent(key, 'second', 60)).toBe(false);
      expect(await kv.get(key)).toBe('first');
      await kv.set(key, 'overwritten', 60);
      expect(await kv.get(key)).toBe('overwritten');
      await kv.delete(key);
    });
  });
}

const prefix = `test:${uniqueSuffix()}:`;
pubSubContract('redis', () => new RedisPubSub(testInfra.redisUrl(), prefix));
pubSubContract('in-process', () => new InProcessPubSub());
kvContract('redis', () => new RedisKvStore(testInfra.redisUrl(), prefix));
kvContract('in-memory', () => new InMemoryKvStore());
