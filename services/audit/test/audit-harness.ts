import { randomBytes, randomUUID } from 'node:crypto';
import { auditV1, ConversationCreated, EventDefinition, MessageSent, protoPathFor } from '@atrium/contracts';
import {
  CallerIdentity,
  createLogger,
  EventBus,
  GrpcServiceClient,
  KafkaBroker,
  loadServiceConfig,
  openDatabase,
  RunningService,
  startService,
  SUPER_ADMIN_ROLE,
} from '@atrium/platform';
import { createTestDatabase, freePort, TestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { Metadata } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditService } from '../src/audit.service-definition';
import { AuditSettings } from '../src/audit.tokens';
import { auditEnvSchema } from '../src/config';

type Client = auditV1.AuditServiceClient;

export interface MessageInput {
  corpId: string;
  conversationId: string;
  sender: string;
  text: string;
  type?: 'text' | 'file' | 'image';
  sentAt?: Date;
}

/**
 * The audit service alone, in this process, on its own database and Kafka topic prefix, plus a
 * producer with its own database, outbox and relay: events reach the archive exactly as they
 * would from messaging and directory. Tests call the service over gRPC.
 */
export class AuditHarness {
  private constructor(
    readonly service: RunningService,
    readonly database: TestDatabase,
    readonly client: GrpcServiceClient<Client>,
    readonly producerDatabase: TestDatabase,
    readonly producer: DataSource,
    readonly producerBus: EventBus,
    readonly prefix: string,
    readonly masterKey: Buffer,
  ) {}

  static async start(settings: Partial<AuditSettings> = {}): Promise<AuditHarness> {
    const [database, producerDatabase] = await Promise.all([createTestDatabase('audit'), createTestDatabase('audit_producer')]);
    const identityKey = randomBytes(32).toString('hex');
    const masterKey = randomBytes(32);
    const prefix = `audit-${uniqueSuffix()}.`;
    const grpcPort = await freePort();
    const config = loadServiceConfig(auditEnvSchema, {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: testInfra.kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: testInfra.redisUrl(),
      ATRIUM_IDENTITY_KEY: identityKey,
      LOG_LEVEL: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
    });
    const service = await startService(
      auditService({ masterKey, settings: { checkpointIntervalMs: 0, retentionSweepIntervalMs: 0, ...settings } }),
      config,
      {
        httpPort: 0,
        grpcPort,
        host: '127.0.0.1',
        logger: createLogger('audit', config.LOG_LEVEL),
      },
    );
    const client = new GrpcServiceClient<Client>(
      { caller: 'test', url: `127.0.0.1:${grpcPort}`, packageName: 'atrium.audit.v1', protoPath: protoPathFor('audit'), identityKey },
      auditV1.AUDIT_SERVICE_NAME,
    );
    const producer = await openDatabase({ url: producerDatabase.url, entities: [], migrations: [] });
    const logger = createLogger('audit-test-producer', 'silent');
    const broker = new KafkaBroker({ clientId: 'audit-test-producer', brokers: testInfra.kafkaBrokers(), prefix, logger });
    const producerBus = new EventBus('producer', producer, broker, logger, { pollIntervalMs: 20, batchSize: 500 });
    producerBus.start();
    return new AuditHarness(service, database, client, producerDatabase, producer, producerBus, prefix, masterKey);
  }

  get<T>(type: Type<T>): T {
    return this.service.app.get(type);
  }

  get db(): DataSource {
    return this.service.infra.dataSource;
  }

  call<R>(caller: CallerIdentity, invoke: (client: Client, metadata: Metadata) => Observable<R>): Promise<R> {
    return this.client.call('test', invoke, caller);
  }

  /** Publishes through the producer's outbox and relay into Kafka. */
  async publish<T>(definition: EventDefinition<T>, corpId: string, payload: T) {
    const envelope = await this.producer.transaction((tx) => this.producerBus.publish(tx, definition, corpId, payload));
    this.producerBus.relay.nudge();
    return envelope;
  }

  async sendMessage(input: MessageInput) {
    return this.publish(MessageSent, input.corpId, messageSentPayload(input));
  }

  async createConversation(corpId: string, conversationId: string, members: string[]) {
    return this.publish(ConversationCreated, corpId, {
      corpId,
      conversationId,
      kind: 'group',
      name: conversationId,
      owner: members[0],
      members,
      actor: members[0],
    });
  }

  async recordCount(corpId: string, where = 'true'): Promise<number> {
    const [row] = await this.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_records WHERE corp_id = $1 AND ${where}`, [
      corpId,
    ]);
    return row.n;
  }

  async stop(): Promise<void> {
    await this.client.close();
    await this.producerBus.stop();
    await this.producerBus.broker.close();
    await this.producer.destroy();
    await this.service.stop();
    await Promise.all([this.database.drop(), this.producerDatabase.drop()]);
  }
}

let seq = 0;
export function messageSentPayload(input: MessageInput) {
  seq++;
  return {
    corpId: input.corpId,
    conversationId: input.conversationId,
    message: {
      id: randomUUID(),
      conversationId: input.conversationId,
      seq,
      sender: input.sender,
      clientMsgId: randomUUID(),
      type: input.type ?? 'text',
      content: input.type === 'file' ? { name: input.text, sha256: 'ab'.repeat(32), size: 1024 } : { text: input.text },
      sentAt: (input.sentAt ?? new Date()).toISOString(),
      burnAfterReading: false,
    },
  };
}

export const superAdmin = (corpId: string, userId = 'admin'): CallerIdentity => ({ corpId, userId, roles: [SUPER_ADMIN_ROLE] });
export const member = (corpId: string, userId: string): CallerIdentity => ({ corpId, userId, roles: [] });
export const newCorp = (label = 'corp') => `${label}-${uniqueSuffix()}`;
