import { defineEvent } from '@atrium/contracts';
import { createTestDatabase, eventually, testInfra, TestDatabase, uniqueSuffix } from '@atrium/testing';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { openDatabase } from '../database';
import { createLogger } from '../logging';
import { EventBus } from './event-bus';
import { KafkaBroker } from './kafka-broker';

const Pinged = defineEvent({
  type: 'relay.ping.recorded',
  version: 1,
  topic: 'relay.events',
  key: (p) => p.n.toString(),
  schema: z.object({ n: z.number().int() }),
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The outbox relay waits for commits instead of polling (issue 14 §6): at rest it costs nothing,
 * and an event still leaves as soon as its transaction commits. Against the real PostgreSQL and
 * Kafka; the relay's safety poll (10 s by default) is far longer than anything waited for here.
 */
describe('outbox relay at rest', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let broker: KafkaBroker;
  let bus: EventBus | undefined;
  let afterPublish: (() => void) | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('relay_idle');
    dataSource = await openDatabase({ url: db.url, entities: [], migrations: [], poolSize: 4 });
    broker = new KafkaBroker({ clientId: 'relay-idle', brokers: testInfra.kafkaBrokers(), prefix: `relay-idle-${uniqueSuffix()}.` });
    await broker.ensureTopics([Pinged.topic]);
    bus = new EventBus('relay-idle', dataSource, broker, createLogger('relay-idle', 'silent'), { afterPublish: () => afterPublish?.() });
    bus.start();
  }, 60_000);

  afterAll(async () => {
    await bus?.stop();
    await broker?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  const publish = (n: number) => dataSource.transaction((tx) => bus!.publish(tx, Pinged, 'corp-1', { n }));
  const publishedAt = async (n: number) => {
    const [row] = await dataSource.query<{ published: boolean }[]>(
      `SELECT published_at IS NOT NULL AS published FROM platform_outbox WHERE envelope->'payload'->>'n' = $1`,
      [String(n)],
    );
    return row?.published ?? false;
  };

  it('runs no query while nothing is committed', async () => {
    await delay(500); // the first round, at start
    const queries = jest.spyOn(dataSource, 'query');
    const transactions = jest.spyOn(dataSource, 'transaction');
    try {
      await delay(2_000);
      expect(queries.mock.calls.length + transactions.mock.calls.length).toBe(0);
    } finally {
      queries.mockRestore();
      transactions.mockRestore();
    }
  });

  it('publishes an event committed after a quiet spell at once, not at the next poll', async () => {
    await delay(1_000);
    const committedAt = Date.now();
    await publish(1);
    await eventually(() => publishedAt(1), Boolean, 5_000, 'event 1 published');
    expect(Date.now() - committedAt).toBeLessThan(5_000);
  });

  it('publishes an event committed while a round was publishing without waiting for the poll', async () => {
    // Event 3 commits while the round that publishes event 2 is between the broker's ack and
    // marking its rows: that round cannot see it, so the relay must look again by itself.
    let second: Promise<unknown> | undefined;
    afterPublish = () => {
      afterPublish = undefined;
      second = publish(3);
    };
    await publish(2);
    await eventually(() => second !== undefined, Boolean, 5_000, 'event 3 committed during a round');
    await second;
    const committedAt = Date.now();
    await eventually(() => publishedAt(3), Boolean, 5_000, 'event 3 published');
    expect(Date.now() - committedAt).toBeLessThan(5_000);
    expect(await publishedAt(2)).toBe(true);
  });
});
