import { randomBytes, randomUUID } from 'node:crypto';
import { MemberOffboarded } from '@atrium/contracts';
import { createLogger, EventBus, KafkaBroker, loadServiceConfig, openDatabase, RunningService, startService } from '@atrium/platform';
import { createTestDatabase, eventually, freePort, TestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { DataSource } from 'typeorm';
import { approvalService } from '../src/approval.service-definition';
import { approvalEnvSchema } from '../src/config';

interface Reported {
  event_id: string;
  topic: string;
  envelope: { corpId: string; payload: Record<string, unknown> };
}

/**
 * The approval service alone on its own database and Kafka prefix, and a producer standing in for
 * the directory (its own outbox and relay): a member's offboarding reaches the approval service
 * as it would in the platform, and its report goes out through the approval outbox.
 */
describe('approval service: offboarding transfers', () => {
  let database: TestDatabase;
  let producerDatabase: TestDatabase;
  let service: RunningService;
  let producer: DataSource;
  let producerBus: EventBus;

  const reports = (corpId: string) =>
    service.infra.dataSource.query<Reported[]>(
      `SELECT event_id, topic, envelope FROM platform_outbox
        WHERE event_type = 'approval.resources.transferred' AND envelope->>'corpId' = $1`,
      [corpId],
    );
  const offboard = async (corpId: string, userid: string, successorUserid = 'boss') => {
    const envelope = await producer.transaction((tx) =>
      producerBus.publish(tx, MemberOffboarded, corpId, { corpId, actor: 'admin', userid, successorUserid }),
    );
    producerBus.relay.nudge();
    return envelope;
  };

  beforeAll(async () => {
    [database, producerDatabase] = await Promise.all([createTestDatabase('approval'), createTestDatabase('approval_producer')]);
    const prefix = `approval-${uniqueSuffix()}.`;
    const config = loadServiceConfig(approvalEnvSchema, {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: testInfra.kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: testInfra.redisUrl(),
      ATRIUM_IDENTITY_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
    });
    service = await startService(approvalService(), config, {
      httpPort: 0,
      grpcPort: await freePort(),
      host: '127.0.0.1',
      logger: createLogger('approval', config.LOG_LEVEL),
    });
    producer = await openDatabase({ url: producerDatabase.url, entities: [], migrations: [] });
    const logger = createLogger('approval-test-producer', 'silent');
    const broker = new KafkaBroker({ clientId: 'approval-test-producer', brokers: testInfra.kafkaBrokers(), prefix, logger });
    producerBus = new EventBus('directory', producer, broker, logger, { pollIntervalMs: 20, batchSize: 100 });
    producerBus.start();
  }, 120_000);

  afterAll(async () => {
    await producerBus?.stop();
    await producerBus?.broker.close();
    await producer?.destroy();
    await service?.stop();
    await Promise.all([database?.drop(), producerDatabase?.drop()]);
  });

  it('reports the approvals transfer of an offboarded member to the directory, once, through its outbox', async () => {
    const corpId = randomUUID();
    const offboarded = await offboard(corpId, 'leaver');
    const [report] = await eventually(
      () => reports(corpId),
      (rows) => rows.length > 0,
      30_000,
      'the approvals transfer report',
    );
    expect(report.topic).toBe('approval.events');
    expect(report.envelope.payload).toEqual({
      corpId,
      userid: 'leaver',
      successorUserid: 'boss',
      resourceType: 'approvals',
      transferred: 0,
      status: 'done',
      detail: 'the approval service holds no approvals yet: nothing to transfer',
    });
    const [inbox] = await service.infra.dataSource.query<{ consumer_group: string }[]>(
      `SELECT consumer_group FROM platform_inbox WHERE event_id = $1`,
      [offboarded.id],
    );
    expect(inbox).toEqual({ consumer_group: 'approval.offboarding' });

    // As if the directory's relay crashed after Kafka acknowledged: the same event arrives again.
    // A later event with the same key (the same member, so the same partition) is consumed after
    // it: once that one is reported, the repeat has been seen, and skipped.
    await producer.query(`UPDATE platform_outbox SET published_at = NULL WHERE event_id = $1`, [offboarded.id]);
    producerBus.relay.nudge();
    await offboard(corpId, 'leaver', 'deputy');
    const after = await eventually(
      () => reports(corpId),
      (rows) => rows.some((r) => r.envelope.payload.successorUserid === 'deputy'),
      30_000,
      'the later report',
    );
    expect(after.map((r) => r.envelope.payload.successorUserid).sort()).toEqual(['boss', 'deputy']);
  });
});
