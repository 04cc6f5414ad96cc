import { DataSource } from 'typeorm';
import { openDatabase, DatabaseOptions, TransactionRunner } from '../database';
import { EventBus, InProcessBroker, KafkaBroker, MessageBroker, OutboxRelayOptions } from '../events';
import { AppLogger, createLogger } from '../logging';
import { InProcessPubSub, PubSub, RedisPubSub } from '../pubsub';
import { InMemoryKvStore, KvStore, RedisKvStore } from '../kv';
import { PlatformEnv } from '../config';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** What a service runs on. Built outside Nest so embedded mode can hand in shared adapters. */
export interface Infrastructure {
  service: string;
  logger: AppLogger;
  dataSource: DataSource;
  transactions: TransactionRunner;
  broker: MessageBroker;
  bus: EventBus;
  pubsub: PubSub;
  kv: KvStore;
  metrics: Registry;
  identityKey: string;
}

export interface InfrastructureOptions {
  service: string;
  config: PlatformEnv;
  database: Omit<DatabaseOptions, 'url'>;
  /** Embedded mode passes its in-process broker and pub/sub, shared by all six services. */
  broker?: MessageBroker;
  pubsub?: PubSub;
  kv?: KvStore;
  relay?: OutboxRelayOptions;
  logger?: AppLogger;
}

export async function createInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const { service, config } = options;
  const logger = options.logger ?? createLogger(service, config.LOG_LEVEL);
  const dataSource = await openDatabase({ ...options.database, url: config.DATABASE_URL, applicationName: `atrium-${service}` });
  const broker =
    options.broker ??
    (config.ATRIUM_EVENT_BUS === 'kafka'
      ? new KafkaBroker({ clientId: `atrium-${service}`, brokers: config.KAFKA_BROKERS ?? [], prefix: config.KAFKA_TOPIC_PREFIX, logger })
      : new InProcessBroker());
  const onRedisError = (error: Error) => logger.warn({ err: error }, 'redis connection error');
  const pubsub =
    options.pubsub ??
    (config.ATRIUM_PUBSUB === 'redis' ? new RedisPubSub(config.REDIS_URL ?? '', '', onRedisError) : new InProcessPubSub());
  const kv =
    options.kv ??
    (config.ATRIUM_PUBSUB === 'redis'
      ? new RedisKvStore(config.REDIS_URL ?? '', `${config.REDIS_KEY_PREFIX}atrium:${service}:`, onRedisError)
      : new InMemoryKvStore());
  const bus = new EventBus(service, dataSource, broker, logger, options.relay);
  const metrics = new Registry();
  metrics.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metrics });
  new Gauge({
    name: 'atrium_outbox_pending_events',
    help: 'Events committed to the outbox and not yet acknowledged by the broker',
    registers: [metrics],
    async collect() {
      this.set(await bus.relay.pending());
    },
  });
  return {
    service,
    logger,
    dataSource,
    transactions: new TransactionRunner(dataSource),
    broker,
    bus,
    pubsub,
    kv,
    metrics,
    identityKey: config.ATRIUM_IDENTITY_KEY,
  };
}
