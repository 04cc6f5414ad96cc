import { eventually, PrivateRedis, startPrivateRedis, uniqueSuffix } from '@atrium/testing';
import { DomainError } from '../errors';
import { RedisKvStore } from '../kv';
import { RedisPubSub } from './pubsub';

const settled = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof DomainError ? error.code : 'rejected'),
  );
/** Long enough that an answer before it is not a timeout of ours, short enough for the suite. */
const hangAfter = (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('hung'), ms));

/** The Redis adapters while their server freezes, dies and comes back: a Redis of this file's own. */
describe('Redis adapters during an outage', () => {
  let redis: PrivateRedis;
  let subscriber: RedisPubSub;
  let publisher: RedisPubSub;
  let kv: RedisKvStore;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    subscriber = new RedisPubSub(redis.url);
    publisher = new RedisPubSub(redis.url);
    kv = new RedisKvStore(redis.url, `t:${uniqueSuffix()}:`);
  });

  afterAll(async () => {
    // Server first: a client quitting on a frozen server would wait for its reply.
    await redis?.stop();
    await Promise.all([subscriber?.close(), publisher?.close(), kv?.close()]);
  });

  it('fails publishes and store calls promptly while the server is frozen or down, and resumes subscriptions with a signal', async () => {
    const channel = `rt.${uniqueSuffix()}`;
    const got: string[] = [];
    let resumed = 0;
    subscriber.onResumed(() => resumed++);
    await subscriber.subscribe(channel, (m) => got.push(m));
    await publisher.publish(channel, 'before');
    await kv.set('k', 'v', 60);
    await eventually(
      () => got,
      (g) => g.length === 1,
      10_000,
      'the first message',
    );

    redis.freeze();
    // ioredis would keep both waiting for a reply that never comes.
    expect(await Promise.race([settled(publisher.publish(channel, 'frozen')), hangAfter(15_000)])).toBe('rejected');
    expect(await Promise.race([settled(kv.get('k')), hangAfter(15_000)])).toBe('UNAVAILABLE');

    await redis.stop('SIGKILL');
    // Long enough for ioredis' reconnection backoff to grow past a second between attempts.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const started = Date.now();
    expect(await Promise.race([settled(publisher.publish(channel, 'down')), hangAfter(15_000)])).toBe('rejected');
    expect(await Promise.race([settled(kv.increment('n', 60)), hangAfter(15_000)])).toBe('UNAVAILABLE');
    const downAnswerMs = Date.now() - started;

    await redis.start();
    await eventually(
      () => resumed,
      (n) => n === 1,
      30_000,
      'the resumed signal',
    );
    // Resumed means subscribed again: what is published from now on arrives.
    await eventually(
      async () => {
        await publisher.publish(channel, 'after').catch(() => undefined);
        return got;
      },
      (g) => g.includes('after'),
      30_000,
      'a message after the restart',
    );
    expect(got).toEqual(expect.arrayContaining(['before', 'after']));
    expect(got).not.toContain('down');
    console.log(`redis adapters: both calls answered ${downAnswerMs} ms into a 12 s outage`);
  }, 120_000);
});
