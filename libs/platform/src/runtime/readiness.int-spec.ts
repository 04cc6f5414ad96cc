import { createServer, Server, Socket } from 'node:net';
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
        REDIS_KEY_PREFIX: 'readiness.',
        ATRIUM_IDENTITY_KEY: 'k'.repeat(32),
        LOG_LEVEL: 'silent',
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      },
    });
    opened.push(infra);
    const readiness = new ReadinessService(infra);
    return readiness;
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

  it('answers from the last known state within a 1 s probe timeout while Kafka hangs', async () => {
    // A broker that accepts connections and never answers: each check waits for its own timeout.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const readiness = await open({ kafka: `127.0.0.1:${port}` });
      expect(await readiness.check()).toMatchObject({ ready: false, checks: { broker: false, database: true } });
      for (let probe = 0; probe < 3; probe++) {
        const answer = await Promise.race([
          readiness.check(),
          new Promise<'probe timed out'>((resolve) => setTimeout(() => resolve('probe timed out'), 1_000)),
        ]);
        expect(answer).toMatchObject({ ready: false, checks: { broker: false } });
      }
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('checks its dependencies when probed, not on a timer while nobody asks', async () => {
    const readiness = await open({});
    await readiness.check();
    const queries = jest.spyOn(opened[opened.length - 1].dataSource, 'query');
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(queries).not.toHaveBeenCalled();
      // The last result is older than a second: this probe checks again and sees the state now.
      expect(await readiness.check()).toMatchObject({ checks: { database: true } });
      expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
  });

  it('stays not ready while a start-up gate is held', async () => {
    const readiness = await open({});
    readiness.hold('corps');
    expect(await readiness.check()).toMatchObject({ ready: false, checks: { corps: false, database: true, broker: true } });
    readiness.release('corps');
    expect(await readiness.check()).toMatchObject({ ready: true, checks: { corps: true } });
  });
});
