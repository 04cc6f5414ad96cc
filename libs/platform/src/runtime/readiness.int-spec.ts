import { createTestDatabase, freePort, TestDatabase, testInfra } from '@atrium/testing';
import { createLogger } from '../logging';
import { createInfrastructure, Infrastructure } from './infrastructure';
import { ReadinessService } from './readiness.service';

/** /readyz answers ready only while the database, the broker and Redis all answer. */
describe('readiness', () => {
  let db: TestDatabase;
  const opened: Infrastructure[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('readiness');
  });

  afterAll(async () => {
    for (const infra of opened) {
      await infra.bus.stop();
      await Promise.allSettled([infra.broker.close(), infra.pubsub.close(), infra.kv.close()]);
      await infra.dataSource.destroy();
    }
    await db.drop();
  });

  const open = async (overrides: { kafka?: string; redis?: string }) => {
    const infra = await createInfrastructure({
      service: 'readiness-test',
      logger: createLogger('readiness-test', 'silent'),
      database: { entities: [], migrations: [] },
      config: {
        HTTP_PORT: 0,
        GRPC_PORT: 0,
        DATABASE_URL: db.url,
        ATRIUM_EVENT_BUS: 'kafka',
        ATRIUM_PUBSUB: 'redis',
        KAFKA_BROKERS: [overrides.kafka ?? testInfra.kafkaBrokers()[0]],
        KAFKA_TOPIC_PREFIX: 'readiness.',
        REDIS_URL: overrides.redis ?? testInfra.redisUrl(),
        ATRIUM_IDENTITY_KEY: 'k'.repeat(32),
        LOG_LEVEL: 'silent',
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      },
    });
    opened.push(infra);
    return new ReadinessService(infra);
  };

  it('is ready with every dependency answering, and stops being ready on shutdown', async () => {
    const readiness = await open({});
    expect(await readiness.check()).toEqual({ ready: true, checks: { database: true, broker: true, pubsub: true, accepting: true } });
    readiness.stopAccepting();
    expect(await readiness.check()).toMatchObject({ ready: false, checks: { accepting: false, database: true } });
  });

  it('is not ready when Redis does not answer', async () => {
    const readiness = await open({ redis: `redis://127.0.0.1:${await freePort()}` });
    expect(await readiness.check()).toEqual({ ready: false, checks: { database: true, broker: true, pubsub: false, accepting: true } });
  });

  it('is not ready when Kafka does not answer', async () => {
    const readiness = await open({ kafka: `127.0.0.1:${await freePort()}` });
    expect(await readiness.check()).toEqual({ ready: false, checks: { database: true, broker: false, pubsub: true, accepting: true } });
  });
});
