import { randomBytes, randomUUID } from 'node:crypto';
import { MemberOffboarded } from '@atrium/contracts';
import { createLogger, EventBus, KafkaBroker, openDatabase, RunningService, ServiceDefinition, startService } from '@atrium/platform';
import { approvalService, loadApprovalConfig } from '@atrium/service-approval';
import { loadReportConfig, reportService } from '@atrium/service-report';
import { createTestDatabase, eventually, freePort, TestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { DataSource } from 'typeorm';

interface Reported {
  event_id: string;
  topic: string;
  envelope: { corpId: string; payload: Record<string, unknown> };
}

/** The services that own work a member leaves behind, and what each reports to the directory. */
const SERVICES = [
  {
    name: 'approval',
    start: (): ServiceDefinition => approvalService(),
    loadConfig: loadApprovalConfig,
    reportType: 'approval.resources.transferred',
    topic: 'approval.events',
    resourceType: 'approvals',
    detail: 'the approval service holds no approvals yet: nothing to transfer',
  },
  {
    name: 'report',
    start: (): ServiceDefinition => reportService(),
    loadConfig: loadReportConfig,
    reportType: 'report.resources.transferred',
    topic: 'report.events',
    resourceType: 'report_reviews',
    detail: 'the report service holds no reports yet: nothing to transfer',
  },
];

/**
 * Each service alone on its own database and Kafka prefix, and a producer standing in for the
 * directory (its own outbox and relay): a member's offboarding reaches the service as it would in
 * the platform, and its report goes out through the service's outbox.
 */
describe.each(SERVICES)('$name service: offboarding transfers', ({ name, start, loadConfig, reportType, topic, resourceType, detail }) => {
  let database: TestDatabase;
  let producerDatabase: TestDatabase;
  let service: RunningService;
  let producer: DataSource;
  let producerBus: EventBus;

  const reports = (corpId: string) =>
    service.infra.dataSource.query<Reported[]>(
      `SELECT event_id, topic, envelope FROM platform_outbox
        WHERE event_type = $2 AND envelope->>'corpId' = $1`,
      [corpId, reportType],
    );
  const offboard = async (corpId: string, userid: string, successorUserid = 'boss') => {
    const envelope = await producer.transaction((tx) =>
      producerBus.publish(tx, MemberOffboarded, corpId, { corpId, actor: 'admin', userid, successorUserid }),
    );
    producerBus.relay.nudge();
    return envelope;
  };

  beforeAll(async () => {
    [database, producerDatabase] = await Promise.all([createTestDatabase(name), createTestDatabase(`${name}_producer`)]);
    const prefix = `${name}-${uniqueSuffix()}.`;
    const config = loadConfig({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: testInfra.kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: testInfra.redisUrl(),
      ATRIUM_IDENTITY_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
    });
    service = await startService(start(), config, {
      httpPort: 0,
      grpcPort: await freePort(),
      host: '127.0.0.1',
      logger: createLogger(name, config.LOG_LEVEL),
    });
    producer = await openDatabase({ url: producerDatabase.url, entities: [], migrations: [] });
    const logger = createLogger(`${name}-test-producer`, 'silent');
    const broker = new KafkaBroker({ clientId: `${name}-test-producer`, brokers: testInfra.kafkaBrokers(), prefix, logger });
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

  it('reports its transfer of an offboarded member to the directory, once, through its outbox', async () => {
    const corpId = randomUUID();
    const offboarded = await offboard(corpId, 'leaver');
    const [report] = await eventually(
      () => reports(corpId),
      (rows) => rows.length > 0,
      30_000,
      'the transfer report',
    );
    expect(report.topic).toBe(topic);
    expect(report.envelope.payload).toEqual({
      corpId,
      userid: 'leaver',
      successorUserid: 'boss',
      resourceType,
      transferred: 0,
      status: 'done',
      detail,
    });
    const [inbox] = await service.infra.dataSource.query<{ consumer_group: string }[]>(
      `SELECT consumer_group FROM platform_inbox WHERE event_id = $1`,
      [offboarded.id],
    );
    expect(inbox).toEqual({ consumer_group: `${name}.offboarding` });

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
