import { eventually, testInfra, uniqueSuffix } from '@atrium/testing';
import { createLogger } from '../logging';
import { KafkaBroker } from './kafka-broker';
import { ReceivedMessage, Subscription } from './message-broker';

const logger = createLogger('kafka-recovery-test', 'silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Kafka consumer must never stop for good while its service runs: kafkajs restarts a crashed
 * consumer only when it deems the error retriable, and a consumer that lost its group membership
 * (a handler busier than the session timeout, as the archive is with a backlog on a busy host)
 * crashed on its next commit with a non-retriable error and stayed stopped, the partition's lag
 * growing until the service was restarted.
 */
describe('Kafka consumer recovery', () => {
  let broker: KafkaBroker;
  const subscriptions: Subscription[] = [];
  const topic = 'recovery.events';

  beforeAll(() => {
    broker = new KafkaBroker({
      clientId: 'recovery-test',
      brokers: testInfra.kafkaBrokers(),
      prefix: `recovery-${uniqueSuffix()}.`,
      partitions: 2,
      // Kafka's smallest by default (group.min.session.timeout.ms): the test outlasts it quickly.
      sessionTimeoutMs: 6_000,
      logger,
    });
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.stop()));
    await broker?.close();
  });

  const publish = (key: string, value: string) => broker.publish([{ topic, key, value, headers: {} }]);

  it('keeps consuming after a handler works longer than the session timeout', async () => {
    const key = `slow-${uniqueSuffix()}`;
    const handled: string[] = [];
    subscriptions.push(
      await broker.subscribe({
        groupId: `slow-${uniqueSuffix()}`,
        topics: [topic],
        handle: () => Promise.reject(new Error('batches only')),
        handleBatch: async (messages: ReceivedMessage[]) => {
          for (const m of messages.filter((m) => m.key === key)) {
            // A transaction that holds the delivery longer than the session (no heartbeat meanwhile).
            if (m.value === 'first' && !handled.includes('first')) await sleep(9_000);
            handled.push(m.value);
          }
        },
      }),
    );
    await publish(key, 'first');
    await eventually(() => handled.includes('first'), Boolean, 60_000, 'the slow event handled');
    await publish(key, 'second');
    await eventually(
      () => [...handled],
      (h) => h.includes('second'),
      60_000,
      'an event published after the slow one handled',
    );
  }, 150_000);

  it('keeps consuming when a delivery outlives the crash of its consumer', async () => {
    const run = uniqueSuffix();
    const twoPartitions = `${topic}.two`;
    const handled: string[] = [];
    let slowPartition: number | undefined;
    let failingUntil: number | undefined;
    subscriptions.push(
      await broker.subscribe({
        groupId: `outlive-${run}`,
        topics: [twoPartitions],
        handle: async (m: ReceivedMessage) => {
          if (!m.value.startsWith(run)) return;
          if (slowPartition === undefined) {
            // The first partition heard of holds its delivery past the consumer's crash and restart
            // (an archive batch in flight when the broker went away)...
            slowPartition = m.partition;
            failingUntil = Date.now() + 4_000;
            await sleep(15_000);
          } else if (m.partition !== slowPartition && failingUntil !== undefined && Date.now() < failingUntil) {
            // ...while the other partition fails until kafkajs' retries are spent and it restarts the
            // consumer (a broker that stays away does the same).
            throw new Error('unavailable for now');
          }
          handled.push(m.value);
        },
      }),
    );
    // Keys spread over both partitions; the test finds out which is which from the deliveries.
    for (let i = 0; i < 8; i++) await broker.publish([{ topic: twoPartitions, key: `k${i}`, value: `${run}-a${i}`, headers: {} }]);
    await eventually(
      () => handled.length,
      (n) => n >= 8,
      90_000,
      'the first events handled',
    );
    for (let i = 0; i < 8; i++) await broker.publish([{ topic: twoPartitions, key: `k${i}`, value: `${run}-b${i}`, headers: {} }]);
    await eventually(
      () => handled.filter((v) => v.includes('-b')).length,
      (n) => n >= 8,
      90_000,
      'events published after the crash handled',
    );
  }, 240_000);

  it('redelivers after a handler rejection that kafkajs treats as fatal, without a restart of the service', async () => {
    const key = `fatal-${uniqueSuffix()}`;
    const attempts = new Map<string, number>();
    subscriptions.push(
      await broker.subscribe({
        groupId: `fatal-${uniqueSuffix()}`,
        topics: [topic],
        handle: async (m: ReceivedMessage) => {
          if (m.key !== key) return;
          const seen = (attempts.get(m.value) ?? 0) + 1;
          attempts.set(m.value, seen);
          // kafkajs gives up on a consumer for a TypeError (its "unrecoverable" errors).
          if (m.value === 'first' && seen === 1) throw new TypeError('a bug hit once');
        },
      }),
    );
    await publish(key, 'first');
    await eventually(
      () => attempts.get('first') ?? 0,
      (n) => n >= 2,
      60_000,
      'the event delivered again',
    );
    await publish(key, 'second');
    await eventually(
      () => attempts.get('second') ?? 0,
      (n) => n >= 1,
      60_000,
      'a later event delivered',
    );
  }, 150_000);
});
