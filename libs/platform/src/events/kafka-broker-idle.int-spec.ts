import { createHook } from 'node:async_hooks';
import { testInfra, uniqueSuffix } from '@atrium/testing';
import { KafkaBroker } from './kafka-broker';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Timers created in this process while `work` runs: what wakes an otherwise idle event loop. */
async function timersCreatedDuring(work: () => Promise<void>): Promise<number> {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'Timeout') created++;
    },
  }).enable();
  try {
    await work();
  } finally {
    hook.disable();
  }
  return created;
}

/**
 * A connected Kafka client at rest leaves its process asleep: kafkajs 2.2.4 re-armed a 1 ms timer
 * on every connection forever (see kafkajs-idle-fix.ts), and a consumer fetched twice a second.
 * Against the real Kafka.
 */
describe('Kafka broker at rest', () => {
  let broker: KafkaBroker;
  let stopConsumer: (() => Promise<void>) | undefined;
  const received: string[] = [];

  beforeAll(async () => {
    broker = new KafkaBroker({ clientId: 'idle-test', brokers: testInfra.kafkaBrokers(), prefix: `kafka-idle-${uniqueSuffix()}.` });
    await broker.publish([{ topic: 'idle.events', key: 'k', value: '{"n":1}', headers: {} }]);
    const subscription = await broker.subscribe({
      groupId: 'idle.consumer',
      topics: ['idle.events'],
      handle: async (message) => {
        received.push(message.value);
      },
    });
    stopConsumer = () => subscription.stop();
    expect(await broker.ping()).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await stopConsumer?.();
    await broker?.close();
  });

  it('creates no timer per millisecond with a producer, an admin and a consumer connected', async () => {
    const deadline = Date.now() + 60_000;
    while (received.length === 0 && Date.now() < deadline) await delay(100);
    expect(received).toEqual(['{"n":1}']);
    await delay(1_000);
    // Over 3 s: a fetch that waits at the broker, a heartbeat or two; a spinning client makes thousands.
    const timers = await timersCreatedDuring(() => delay(3_000));
    expect(timers).toBeLessThan(100);
  }, 90_000);

  it('still delivers a message published after a quiet spell', async () => {
    const sentAt = Date.now();
    await broker.publish([{ topic: 'idle.events', key: 'k', value: '{"n":2}', headers: {} }]);
    while (!received.includes('{"n":2}') && Date.now() - sentAt < 20_000) await delay(50);
    expect(received).toContain('{"n":2}');
  }, 30_000);
});
