import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { defineEvent, EventEnvelope } from '@atrium/contracts';
import { createTestDatabase, eventually, freePort, testInfra, TestDatabase, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { openDatabase, runCombined, Tx } from '../database';
import { createLogger } from '../logging';
import { initTelemetry, inSpan } from '../telemetry';
import { replayDeadLetters } from './dead-letter-replay';
import { DLQ_HEADERS } from './event-consumer';
import { EventBus } from './event-bus';
import { InProcessBroker } from './in-process-broker';
import { KafkaBroker } from './kafka-broker';
import { MessageBroker, ReceivedMessage } from './message-broker';

const spans = new InMemorySpanExporter();
initTelemetry({ serviceName: 'contract-test', spanProcessors: [new SimpleSpanProcessor(spans)] });

const ItemRecorded = defineEvent({
  type: 'contract.item.recorded',
  version: 1,
  topic: 'contract.events',
  key: (p) => p.stream,
  schema: z.object({
    stream: z.string(),
    n: z.number().int(),
    failTimes: z.number().int().default(0),
    // Attempts that fail as if the database were down: a real connection refused by a closed port.
    unavailableTimes: z.number().int().default(0),
  }),
});

const logger = createLogger('contract-test', 'silent');

/**
 * One behavioural contract for the event bus, run against Kafka and against the in-process
 * broker: the same guarantees in both modes, or embedded mode would hide production bugs.
 */
function eventBusContract(adapter: string, makeBroker: (prefix: string) => MessageBroker, mode: 'one by one' | 'batched') {
  describe(`event bus contract (${adapter}, ${mode})`, () => {
    let producerDb: TestDatabase;
    let consumerDb: TestDatabase;
    let producerDs: DataSource;
    let consumerDs: DataSource;
    let broker: MessageBroker;
    let producer: EventBus;
    let consumer: EventBus;
    const attempts = new Map<string, number>();
    const batchSizes: number[] = [];

    let closedPort: number;

    beforeAll(async () => {
      closedPort = await freePort();
      [producerDb, consumerDb] = await Promise.all([createTestDatabase('contract_p'), createTestDatabase('contract_c')]);
      [producerDs, consumerDs] = await Promise.all([
        openDatabase({ url: producerDb.url, entities: [], migrations: [], poolSize: 4 }),
        openDatabase({ url: consumerDb.url, entities: [], migrations: [], poolSize: 4 }),
      ]);
      await consumerDs.query(`CREATE TABLE effects (event_id uuid, stream text, n int, handled_at timestamptz DEFAULT clock_timestamp())`);
      broker = makeBroker(`contract-${uniqueSuffix()}.`);
      producer = new EventBus('producer', producerDs, broker, logger, { pollIntervalMs: 20 });
      consumer = new EventBus('consumer', consumerDs, broker, logger);
      producer.start();
      const handle = async (tx: Tx, event: EventEnvelope) => {
        const payload = ItemRecorded.schema.parse(event.payload);
        const seen = (attempts.get(event.id) ?? 0) + 1;
        attempts.set(event.id, seen);
        await tx.query(`INSERT INTO effects (event_id, stream, n) VALUES ($1, $2, $3)`, [event.id, payload.stream, payload.n]);
        if (seen <= payload.unavailableTimes) {
          // Nothing listens there: the driver's own ECONNREFUSED, as during a PostgreSQL outage.
          const unreachable = new Client({ host: '127.0.0.1', port: closedPort, user: 'x', database: 'x', connectionTimeoutMillis: 5_000 });
          await unreachable.connect();
        }
        // Thrown after the insert: the rollback must take the effect with it.
        if (seen <= payload.failTimes) throw new Error(`planned failure ${seen}`);
      };
      const common = { groupId: 'consumer.effects', events: [ItemRecorded], maxAttempts: 3, retryBaseDelayMs: 10 };
      if (mode === 'batched') {
        await consumer.consumeBatch({
          ...common,
          maxBatchSize: 50,
          handleBatch: async (tx, events) => {
            batchSizes.push(events.length);
            for (const { envelope } of events) await handle(tx, envelope);
          },
        });
      } else {
        await consumer.consume({ ...common, handle });
      }
    }, 120_000);

    afterAll(async () => {
      await producer?.stop();
      await consumer?.stop();
      await broker?.close();
      await Promise.all([producerDs?.destroy(), consumerDs?.destroy()]);
      await Promise.all([producerDb?.drop(), consumerDb?.drop()]);
    });

    const effects = async (stream: string) =>
      consumerDs.query<{ event_id: string; n: number }[]>(`SELECT event_id, n FROM effects WHERE stream = $1 ORDER BY handled_at`, [
        stream,
      ]);

    const publish = (stream: string, n: number, failTimes = 0, unavailableTimes = 0) =>
      producerDs.transaction((tx) => producer.publish(tx, ItemRecorded, 'corp-1', { stream, n, failTimes, unavailableTimes }));

    const collectDeadLetters = async (): Promise<ReceivedMessage[]> => {
      const received: ReceivedMessage[] = [];
      const subscription = await broker.subscribe({
        groupId: `dlq-reader-${uniqueSuffix()}`,
        topics: ['contract.events.dlq'],
        handle: async (m) => void received.push(m),
      });
      afterAllStops.push(() => subscription.stop());
      return received;
    };
    const afterAllStops: (() => Promise<void>)[] = [];
    afterAll(async () => {
      await Promise.all(afterAllStops.map((stop) => stop()));
    });

    it('delivers an event committed with its change exactly once', async () => {
      const stream = `once-${uniqueSuffix()}`;
      const envelope = await publish(stream, 1);
      const rows = await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'delivery',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await effects(stream)).toEqual([{ event_id: envelope.id, n: 1 }]);
      expect(rows[0].event_id).toBe(envelope.id);
    });

    it('publishes nothing for a rolled-back transaction', async () => {
      const stream = `rollback-${uniqueSuffix()}`;
      await expect(
        producerDs.transaction(async (tx) => {
          await producer.publish(tx, ItemRecorded, 'corp-1', { stream, n: 1, failTimes: 0, unavailableTimes: 0 });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await publish(stream, 2);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'the committed event',
      );
      expect((await effects(stream)).map((r) => r.n)).toEqual([2]);
    });

    it('applies a redelivered event once (inbox dedupe)', async () => {
      const stream = `dup-${uniqueSuffix()}`;
      const envelope = await publish(stream, 1);
      await eventually(
        () => effects(stream),
        (r) => r.length === 1,
        30_000,
        'first delivery',
      );
      // As if the relay crashed after the broker acked but before it marked the row published.
      await producerDs.query(`UPDATE platform_outbox SET published_at = NULL WHERE event_id = $1`, [envelope.id]);
      await eventually(
        async () =>
          await producerDs.query<{ published_at: Date | null }[]>(`SELECT published_at FROM platform_outbox WHERE event_id = $1`, [
            envelope.id,
          ]),
        (r) => r[0]?.published_at !== null,
        30_000,
        'republish',
      );
      await publish(stream, 2);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 2,
        30_000,
        'the later event',
      );
      expect((await effects(stream)).map((r) => r.n)).toEqual([1, 2]);
    });

    it('keeps the order of events that share a key', async () => {
      const stream = `order-${uniqueSuffix()}`;
      for (let n = 1; n <= 20; n++) await publish(stream, n);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 20,
        30_000,
        '20 events',
      );
      expect((await effects(stream)).map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('retries a failing handler and commits once it succeeds', async () => {
      const stream = `transient-${uniqueSuffix()}`;
      const envelope = await publish(stream, 1, 2);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'eventual success',
      );
      expect(attempts.get(envelope.id)).toBe(3);
      expect((await effects(stream)).length).toBe(1);
    });

    it('retries an event while a dependency is unavailable, past the attempt limit, holding its partition, never dead-lettering it', async () => {
      const deadLetters = await collectDeadLetters();
      const stream = `unavailable-${uniqueSuffix()}`;
      // maxAttempts is 3: a deterministic failure would be dead-lettered after the third attempt.
      const held = await publish(stream, 1, 0, 6);
      await publish(stream, 2);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 2,
        60_000,
        'both events',
      );
      expect(attempts.get(held.id)).toBe(7);
      // Same key, same partition: the event behind it waited until the retried one was handled.
      expect((await effects(stream)).map((r) => r.n)).toEqual([1, 2]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(deadLetters.filter((m) => m.headers['x-atrium-event-id'] === held.id)).toEqual([]);
    });

    it('dead-letters an event whose handler keeps failing, with the error, and moves on', async () => {
      const deadLetters = await collectDeadLetters();
      const stream = `poison-${uniqueSuffix()}`;
      const poison = await publish(stream, 1, 99);
      await publish(stream, 2);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'the event after the poison one',
      );
      expect((await effects(stream)).map((r) => r.n)).toEqual([2]);
      const letter = await eventually(
        () => deadLetters.find((m) => m.headers['x-atrium-event-id'] === poison.id),
        Boolean,
        30_000,
        'dead letter',
      );
      expect(letter?.headers[DLQ_HEADERS.reason]).toBe('handler_failed');
      expect(letter?.headers[DLQ_HEADERS.error]).toBe('planned failure 3');
      expect(letter?.headers[DLQ_HEADERS.attempts]).toBe('3');
      expect(attempts.get(poison.id)).toBe(3);
    });

    it('replays a dead-lettered event onto its topic, where the group that gave up handles it once', async () => {
      const deadLetters = await collectDeadLetters();
      const stream = `replay-${uniqueSuffix()}`;
      // Fails exactly maxAttempts times: dead-lettered, then handled by its fourth attempt.
      const event = await publish(stream, 1, 3);
      await eventually(() => deadLetters.find((m) => m.headers['x-atrium-event-id'] === event.id), Boolean, 30_000, 'dead letter');
      expect(await effects(stream)).toEqual([]);
      const replayed = await replayDeadLetters(broker, { topic: 'contract.events', group: 'consumer.effects', idleMs: 3_000 });
      expect(replayed).toBeGreaterThanOrEqual(1);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'the replayed event',
      );
      expect(await effects(stream)).toEqual([{ event_id: event.id, n: 1 }]);
      // Replayed letters are not replayed again, and an event replayed twice is handled once anyway.
      await replayDeadLetters(broker, { topic: 'contract.events', group: 'consumer.effects', idleMs: 1_500 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await effects(stream)).toEqual([{ event_id: event.id, n: 1 }]);
    });

    it('dead-letters a malformed event without retrying it and without blocking the partition', async () => {
      const deadLetters = await collectDeadLetters();
      const stream = `malformed-${uniqueSuffix()}`;
      await broker.publish([
        { topic: 'contract.events', key: stream, value: '{"not":"an envelope"', headers: { 'x-test-marker': stream } },
      ]);
      await publish(stream, 7);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'the valid event after the malformed one',
      );
      const letter = await eventually(() => deadLetters.find((m) => m.headers['x-test-marker'] === stream), Boolean, 30_000, 'dead letter');
      expect(letter?.headers[DLQ_HEADERS.reason]).toBe('invalid');
      expect(letter?.value).toBe('{"not":"an envelope"');
      expect(letter?.headers[DLQ_HEADERS.error]).toContain('not valid JSON');
    });

    it('skips events of other types on its topic by their type header, unparsed and not dead-lettered', async () => {
      const deadLetters = await collectDeadLetters();
      const stream = `foreign-${uniqueSuffix()}`;
      // Not JSON: had the consumer parsed it, it would have been dead-lettered as invalid.
      await broker.publish([
        {
          topic: 'contract.events',
          key: stream,
          value: 'not json at all',
          headers: { 'x-atrium-event-type': 'contract.other.happened', 'x-test-marker': stream },
        },
      ]);
      await publish(stream, 3);
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'the event after the foreign one',
      );
      // Same key, same partition: the foreign record was behind the consumer before this one was handled.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(deadLetters.filter((m) => m.headers['x-test-marker'] === stream)).toEqual([]);
      expect((await effects(stream)).map((r) => r.n)).toEqual([3]);
    });

    it('delivers an event prepared as a statement and combined with the change (runCombined)', async () => {
      const stream = `combined-${uniqueSuffix()}`;
      const envelope = await producerDs.transaction(async (tx) => {
        const prepared = producer.prepare(ItemRecorded, 'corp-1', { stream, n: 5, failTimes: 0, unavailableTimes: 0 });
        await runCombined(tx, [{ text: `SELECT 1 WHERE $1::text IS NOT NULL`, values: [stream] }, prepared.statement]);
        return prepared.envelope;
      });
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'the prepared event',
      );
      expect(await effects(stream)).toEqual([{ event_id: envelope.id, n: 5 }]);
    });

    if (mode === 'batched') {
      it('handles a burst in batches of at most the batch size, each event once', async () => {
        const stream = `burst-${uniqueSuffix()}`;
        const before = batchSizes.length;
        await producerDs.transaction(async (tx) => {
          for (let n = 1; n <= 200; n++)
            await producer.publish(tx, ItemRecorded, 'corp-1', { stream, n, failTimes: 0, unavailableTimes: 0 });
        });
        await eventually(
          () => effects(stream),
          (r) => r.length >= 200,
          30_000,
          '200 events',
        );
        const sizes = batchSizes.slice(before);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
        expect(sizes.length).toBeLessThan(200); // several events per transaction
        expect((await effects(stream)).map((r) => r.n)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      });
    }

    it('continues the producer trace in the consumer', async () => {
      const stream = `trace-${uniqueSuffix()}`;
      const traceId = await inSpan('producer', 'produce', 0, async () => {
        await publish(stream, 1);
        return trace.getActiveSpan()?.spanContext().traceId;
      });
      await eventually(
        () => effects(stream),
        (r) => r.length >= 1,
        30_000,
        'delivery',
      );
      const consumerSpan = await eventually(
        () => spans.getFinishedSpans().find((s) => s.name === 'consume contract.events' && s.spanContext().traceId === traceId),
        Boolean,
        5_000,
        'consumer span',
      );
      expect(consumerSpan?.spanContext().traceId).toBe(traceId);
    });
  });
}

for (const mode of ['one by one', 'batched'] as const) {
  eventBusContract('kafka', (prefix) => new KafkaBroker({ clientId: 'contract-test', brokers: testInfra.kafkaBrokers(), prefix }), mode);
  eventBusContract('in-process', () => new InProcessBroker({ redeliveryDelayMs: 20 }), mode);
}
