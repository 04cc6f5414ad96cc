import { randomBytes } from 'node:crypto';
import { directoryV1, protoPathFor } from '@atrium/contracts';
import {
  CallerIdentity,
  createLogger,
  GrpcServiceClient,
  loadServiceConfig,
  PLATFORM_ADMIN_ROLE,
  RunningService,
  startService,
  SUPER_ADMIN_ROLE,
} from '@atrium/platform';
import { createTestDatabase, freePort, startPgliteServer, TestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { Metadata } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { directoryEnvSchema } from '../src/config';
import { directoryService } from '../src/directory.service-definition';

type Client = directoryV1.DirectoryServiceClient;

export interface TestCorp {
  corpId: string;
  code: string;
  /** The corp's super admin (userid `admin`). */
  admin: CallerIdentity;
}

/**
 * Where the directory's database lives: `postgres`, a fresh database of the test PostgreSQL with
 * real Kafka and Redis (a cluster); `pglite`, a fresh PGlite served over the wire protocol with
 * one connection and the in-process bus and pub/sub, as embedded mode (`npm start`) runs it.
 */
export type HarnessDatabase = 'postgres' | 'pglite';

/**
 * The directory service alone, in this process, on its own fresh database: tests call it over
 * gRPC exactly as the gateway and the other services do.
 */
export class DirectoryHarness {
  private constructor(
    readonly service: RunningService,
    readonly database: Pick<TestDatabase, 'url' | 'drop'>,
    readonly client: GrpcServiceClient<Client>,
    readonly identityKey: string,
  ) {}

  static async start(on: HarnessDatabase = 'postgres'): Promise<DirectoryHarness> {
    const database = on === 'pglite' ? await startPglite() : await createTestDatabase('directory');
    const identityKey = randomBytes(32).toString('hex');
    const grpcPort = await freePort();
    const infra =
      on === 'pglite'
        ? { ATRIUM_EVENT_BUS: 'inprocess', ATRIUM_PUBSUB: 'inprocess' }
        : {
            KAFKA_BROKERS: testInfra.kafkaBrokers().join(','),
            KAFKA_TOPIC_PREFIX: `dir-${uniqueSuffix()}.`,
            REDIS_URL: testInfra.redisUrl(),
          };
    const config = loadServiceConfig(directoryEnvSchema, {
      DATABASE_URL: database.url,
      ...infra,
      ATRIUM_IDENTITY_KEY: identityKey,
      LOG_LEVEL: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
    });
    const definition = directoryService();
    // Embedded mode's pool: PGlite has one backend, without isolation between connections.
    const pool = on === 'pglite' ? { database: { ...definition.database, poolSize: 1 } } : {};
    const service = await startService({ ...definition, ...pool }, config, {
      httpPort: 0,
      grpcPort,
      host: '127.0.0.1',
      logger: createLogger('directory', config.LOG_LEVEL),
    });
    const client = new GrpcServiceClient<Client>(
      {
        caller: 'test',
        url: `127.0.0.1:${grpcPort}`,
        packageName: 'atrium.directory.v1',
        protoPath: protoPathFor('directory'),
        identityKey,
      },
      directoryV1.DIRECTORY_SERVICE_NAME,
    );
    return new DirectoryHarness(service, database, client, identityKey);
  }

  /** Calls one RPC as `caller`; failures reject with the DomainError (code, message, details). */
  call<R>(caller: CallerIdentity, invoke: (client: Client, metadata: Metadata) => Observable<R>): Promise<R> {
    return this.client.call('test', invoke, caller);
  }

  async createCorp(label = 'corp'): Promise<TestCorp> {
    const code = `${label}-${uniqueSuffix()}`;
    const created = await this.call({ corpId: '', userId: 'operator', roles: [PLATFORM_ADMIN_ROLE] }, (c, md) =>
      c.createCorp({ code, name: `${label} group`, adminUserid: 'admin', adminName: 'Admin', adminPassword: 'admin-password' }, md),
    );
    const corpId = created.corp!.id;
    return { corpId, code, admin: { corpId, userId: 'admin', roles: [SUPER_ADMIN_ROLE] } };
  }

  /** An identity of a plain member (or sub-admin, once granted) of a corp. */
  as(corp: TestCorp, userid: string): CallerIdentity {
    return { corpId: corp.corpId, userId: userid, roles: [] };
  }

  async stop(): Promise<void> {
    await this.client.close();
    await this.service.stop();
    await this.database.drop();
  }
}

async function startPglite(): Promise<Pick<TestDatabase, 'url' | 'drop'>> {
  const server = await startPgliteServer();
  return { url: server.url, drop: () => server.stop() };
}
