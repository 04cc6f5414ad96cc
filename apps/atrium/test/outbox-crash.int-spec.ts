import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CorpCreated } from '@atrium/contracts';
import { createLogger, EventBus, KafkaBroker, openDatabase, ReceivedMessage } from '@atrium/platform';
import { createTestDatabase, eventually, testInfra, TestDatabase, uniqueSuffix } from '@atrium/testing';
import { DataSource } from 'typeorm';

const root = join(__dirname, '..', '..', '..');

function runRelay(env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'fixtures', 'relay-once.ts')],
      {
        cwd: root,
        env: { ...process.env, TS_NODE_PROJECT: join(root, 'tsconfig.json'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

/**
 * The outbox promise under a real crash: the relay process is SIGKILLed between the commit of the
 * change and the marking of its event as published. After a restart the event reaches its
 * consumer exactly once, even though Kafka may now hold it twice.
 */
describe('outbox relay killed with SIGKILL', () => {
  let producerDb: TestDatabase;
  let consumerDb: TestDatabase;
  let producer: DataSource;
  let consumer: DataSource;
  let broker: KafkaBroker;
  let bus: EventBus;
  const prefix = `crash-${uniqueSuffix()}.`;
  const raw: ReceivedMessage[] = [];

  beforeAll(async () => {
    [producerDb, consumerDb] = await Promise.all([createTestDatabase('crash_p'), createTestDatabase('crash_c')]);
    producer = await openDatabase({ url: producerDb.url, entities: [], migrations: [] });
    consumer = await openDatabase({ url: consumerDb.url, entities: [], migrations: [] });
    await consumer.query(`CREATE TABLE corps_seen (event_id uuid, corp_id text)`);
    broker = new KafkaBroker({ clientId: 'crash-test', brokers: testInfra.kafkaBrokers(), prefix });
    bus = new EventBus('consumer', consumer, broker, createLogger('crash-test', 'silent'));
    await bus.consume({
      groupId: 'audit.crash-test',
      events: [CorpCreated],
      handle: async (tx, event) => {
        await tx.query(`INSERT INTO corps_seen (event_id, corp_id) VALUES ($1, $2)`, [event.id, event.corpId]);
      },
    });
    await broker.subscribe({ groupId: `raw-${uniqueSuffix()}`, topics: [CorpCreated.topic], handle: async (m) => void raw.push(m) });
  }, 120_000);

  afterAll(async () => {
    await bus?.stop();
    await broker?.close();
    await producer?.destroy();
    await consumer?.destroy();
    await producerDb?.drop();
    await consumerDb?.drop();
  });

  const commitChange = (corpId: string) =>
    producer.transaction((tx) => bus.publish(tx, CorpCreated, corpId, { corpId, code: corpId, name: 'Crash Co', adminUserId: 'admin' }));
  const seen = async (corpId: string) =>
    consumer.query<{ event_id: string }[]>(`SELECT event_id FROM corps_seen WHERE corp_id = $1`, [corpId]);
  const pending = async () =>
    (await producer.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM platform_outbox WHERE published_at IS NULL`))[0].n;
  const relayEnv = () => ({ DATABASE_URL: producerDb.url, KAFKA_BROKERS: testInfra.kafkaBrokers().join(','), KAFKA_TOPIC_PREFIX: prefix });

  it.each(['after-publish', 'before-publish'])(
    'delivers exactly once after a SIGKILL %s',
    async (crash) => {
      const corpId = `corp-${crash}-${uniqueSuffix()}`;
      const envelope = await commitChange(corpId);

      const killed = await runRelay({ ...relayEnv(), CRASH: crash });
      expect(killed.signal).toBe('SIGKILL');
      expect(await pending()).toBe(1);

      const restarted = await runRelay({ ...relayEnv(), CRASH: 'none' });
      expect(restarted.output).toContain('published 1');
      expect(restarted.code).toBe(0);
      expect(await pending()).toBe(0);

      const copies = crash === 'after-publish' ? 2 : 1;
      await eventually(
        () => raw.filter((m) => m.headers['x-atrium-event-id'] === envelope.id).length,
        (n) => n >= copies,
        30_000,
        `${copies} copies in Kafka`,
      );
      await eventually(
        () => seen(corpId),
        (rows) => rows.length >= 1,
        30_000,
        'the consumer effect',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(raw.filter((m) => m.headers['x-atrium-event-id'] === envelope.id)).toHaveLength(copies);
      expect(await seen(corpId)).toEqual([{ event_id: envelope.id }]);
    },
    120_000,
  );
});
