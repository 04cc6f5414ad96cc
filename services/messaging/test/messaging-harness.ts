import { randomBytes, randomUUID } from 'node:crypto';
import { messagingV1, protoPathFor } from '@atrium/contracts';
import {
  CallerIdentity,
  createLogger,
  GrpcServiceClient,
  loadServiceConfig,
  RunningService,
  startService,
  SUPER_ADMIN_ROLE,
} from '@atrium/platform';
import { createTestDatabase, freePort, startPgliteServer, TestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { Metadata } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { messagingEnvSchema } from '../src/config';
import { messagingService } from '../src/messaging.service-definition';
import { InMemoryDirectory } from './in-memory-directory';

type Client = messagingV1.MessagingServiceClient;

/**
 * Where messaging's database lives: `postgres`, a fresh database of the test PostgreSQL with real
 * Kafka and Redis (a cluster); `pglite`, a fresh PGlite served over the wire protocol with one
 * connection and the in-process bus and pub/sub, as embedded mode (`npm start`) runs it.
 */
export type HarnessDatabase = 'postgres' | 'pglite';

export interface TestCorp {
  corpId: string;
  /** The corp's super admin (userid `admin`). */
  admin: CallerIdentity;
  /** A plain member's identity. */
  as(userid: string): CallerIdentity;
}

/**
 * The messaging service alone, in this process, on its own fresh database: tests call it over gRPC
 * exactly as the gateway does. The directory is messaging's directory port answered from memory,
 * and the address messaging would dial for the directory service has nothing listening, so a test
 * here cannot lean on another service by accident.
 */
export class MessagingHarness {
  private constructor(
    readonly service: RunningService,
    readonly database: Pick<TestDatabase, 'url' | 'drop'>,
    readonly client: GrpcServiceClient<Client>,
    readonly directory: InMemoryDirectory,
    readonly identityKey: string,
    /** Where messaging was told the directory service is: nobody listens there. */
    readonly unusedDirectoryUrl: string,
  ) {}

  static async start(on: HarnessDatabase = 'postgres'): Promise<MessagingHarness> {
    const database = on === 'pglite' ? await startPglite() : await createTestDatabase('messaging');
    const identityKey = randomBytes(32).toString('hex');
    const grpcPort = await freePort();
    const unusedDirectoryUrl = `127.0.0.1:${await freePort()}`;
    const prefix = `msg-${uniqueSuffix()}.`;
    const infra =
      on === 'pglite'
        ? { ATRIUM_EVENT_BUS: 'inprocess', ATRIUM_PUBSUB: 'inprocess' }
        : {
            KAFKA_BROKERS: testInfra.kafkaBrokers().join(','),
            KAFKA_TOPIC_PREFIX: prefix,
            REDIS_URL: testInfra.redisUrl(),
            REDIS_KEY_PREFIX: prefix,
          };
    const config = loadServiceConfig(messagingEnvSchema, {
      DATABASE_URL: database.url,
      ...infra,
      DIRECTORY_GRPC_URL: unusedDirectoryUrl,
      ATRIUM_IDENTITY_KEY: identityKey,
      LOG_LEVEL: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
    });
    const directory = new InMemoryDirectory();
    const definition = messagingService(config, { directory });
    // Embedded mode's pool: PGlite has one backend, without isolation between connections.
    const pool = on === 'pglite' ? { database: { ...definition.database, poolSize: 1 } } : {};
    const service = await startService({ ...definition, ...pool }, config, {
      httpPort: 0,
      grpcPort,
      host: '127.0.0.1',
      logger: createLogger('messaging', config.LOG_LEVEL),
    });
    const client = new GrpcServiceClient<Client>(
      {
        caller: 'test',
        url: `127.0.0.1:${grpcPort}`,
        packageName: 'atrium.messaging.v1',
        protoPath: protoPathFor('messaging'),
        identityKey,
      },
      messagingV1.MESSAGING_SERVICE_NAME,
    );
    return new MessagingHarness(service, database, client, directory, identityKey, unusedDirectoryUrl);
  }

  /** Calls one RPC as `caller`; failures reject with the DomainError (code, message, details). */
  call<R>(caller: CallerIdentity, invoke: (client: Client, metadata: Metadata) => Observable<R>): Promise<R> {
    return this.client.call('test', invoke, caller);
  }

  /** A corp whose super admin is `admin` and whose active members are `userids`, as the directory would answer. */
  createCorp(userids: string[] = []): TestCorp {
    const corpId = randomUUID();
    this.directory.addMembers(corpId, ['admin', ...userids]);
    return { corpId, admin: { corpId, userId: 'admin', roles: [SUPER_ADMIN_ROLE] }, as: (userId) => ({ corpId, userId, roles: [] }) };
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

/** A text send request. */
export function textSend(conversationId: string, clientMsgId: string, body: string, extra: Record<string, unknown> = {}) {
  return { conversationId, clientMsgId, type: 'text', contentJson: JSON.stringify({ text: body, ...extra }) };
}
