import { auditService } from '@atrium/service-audit';
import { approvalService } from '@atrium/service-approval';
import { directoryService } from '@atrium/service-directory';
import { gatewayService, GatewayConfig, KnownCorpsCatchUp } from '@atrium/service-gateway';
import { messagingService, MessagingConfig } from '@atrium/service-messaging';
import { reportService } from '@atrium/service-report';
import {
  AppLogger,
  createLogger,
  KvStore,
  MessageBroker,
  PlatformEnv,
  PubSub,
  RunningService,
  ServiceDefinition,
  startService,
} from '@atrium/platform';
import { createServer } from 'node:net';

export const BACKEND_SERVICES = ['directory', 'messaging', 'approval', 'report', 'audit'] as const;
export type BackendService = (typeof BACKEND_SERVICES)[number];
export type AnyService = BackendService | 'gateway';

export interface LaunchOptions {
  /** Where the internal gRPC and ops HTTP servers listen. */
  host?: string;
  /** Where the gateway listens (embedded mode may expose it beyond loopback). */
  gatewayHost?: string;
  gatewayPort: number;
  identityKey: string;
  jwtSecret: string;
  /** One database per service. */
  databaseUrls: Record<AnyService, string>;
  /** Kafka (cluster-like) or in-process adapters (embedded). */
  bus: { kind: 'kafka'; brokers: string[]; topicPrefix?: string } | { kind: 'inprocess'; broker: MessageBroker };
  realtime: { kind: 'redis'; url: string } | { kind: 'inprocess'; pubsub: PubSub; kv: KvStore };
  logLevel?: string;
  /** Embedded mode pools one connection per PGlite instance. */
  poolSize?: number;
  gatewayOverrides?: Partial<GatewayConfig>;
}

export interface RunningPlatform {
  gatewayUrl: string;
  services: Record<AnyService, RunningService>;
  grpcUrls: Record<BackendService, string>;
  stop(): Promise<void>;
}

export function freeLoopbackPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Boots the six services in this process, each with its own Nest app, database and gRPC server,
 * calling one another over gRPC on loopback: the composition root shared by embedded mode and
 * the end-to-end tests.
 */
export async function launchPlatform(options: LaunchOptions): Promise<RunningPlatform> {
  const host = options.host ?? '127.0.0.1';
  const logLevel = (options.logLevel ?? 'info') as PlatformEnv['LOG_LEVEL'];
  const baseConfig = (service: AnyService, grpcPort: number): PlatformEnv => ({
    HTTP_PORT: 0,
    GRPC_PORT: grpcPort,
    DATABASE_URL: options.databaseUrls[service],
    ATRIUM_EVENT_BUS: options.bus.kind,
    ATRIUM_PUBSUB: options.realtime.kind,
    KAFKA_BROKERS: options.bus.kind === 'kafka' ? options.bus.brokers : undefined,
    KAFKA_TOPIC_PREFIX: options.bus.kind === 'kafka' ? (options.bus.topicPrefix ?? '') : '',
    REDIS_URL: options.realtime.kind === 'redis' ? options.realtime.url : undefined,
    // One environment's topics and Redis keys share a prefix: platforms sharing the servers stay apart.
    REDIS_KEY_PREFIX: options.bus.kind === 'kafka' ? (options.bus.topicPrefix ?? '') : '',
    ATRIUM_IDENTITY_KEY: options.identityKey,
    LOG_LEVEL: logLevel,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  });
  const adapters = (logger: AppLogger) => ({
    broker: options.bus.kind === 'inprocess' ? options.bus.broker : undefined,
    pubsub: options.realtime.kind === 'inprocess' ? options.realtime.pubsub : undefined,
    kv: options.realtime.kind === 'inprocess' ? options.realtime.kv : undefined,
    logger,
  });
  const started: RunningService[] = [];
  const stopAll = async () => {
    // Reverse order: the gateway stops taking requests before the services it calls.
    for (const service of started.reverse()) await service.stop();
  };
  const startBackend = async (name: BackendService, definitionFor: (grpcPort: number) => [ServiceDefinition, PlatformEnv]) => {
    const logger = createLogger(name, logLevel);
    for (let attempt = 1; ; attempt++) {
      const grpcPort = await freeLoopbackPort(host);
      const [definition, config] = definitionFor(grpcPort);
      try {
        const running = await startService(withPool(definition, options.poolSize), config, {
          httpPort: 0,
          grpcPort,
          host,
          ...adapters(logger),
        });
        started.push(running);
        return running;
      } catch (error) {
        // Another process on this host may take the port between our probe and the bind.
        if (attempt >= 5 || !/EADDRINUSE/.test(String((error as Error)?.message))) throw error;
        logger.warn({ grpcPort, attempt }, 'gRPC port was taken meanwhile; trying another');
      }
    }
  };
  try {
    // The directory first: messaging is configured with its address.
    const directory = await startBackend('directory', (port) => [directoryService(), baseConfig('directory', port)]);
    const others = await Promise.all([
      startBackend('messaging', (port) => {
        const config: MessagingConfig = {
          ...baseConfig('messaging', port),
          DIRECTORY_GRPC_URL: `${host}:${directory.grpcPort}`,
          MESSAGING_MAX_GROUP_MEMBERS: 2_000,
          MESSAGING_RECALL_WINDOW_SECONDS: 24 * 3600,
          MESSAGING_MEDIA_MAX_BYTES: 1024 * 1024 * 1024,
        };
        return [messagingService(config), config];
      }),
      startBackend('approval', (port) => [approvalService(), baseConfig('approval', port)]),
      startBackend('report', (port) => [reportService(), baseConfig('report', port)]),
      startBackend('audit', (port) => [auditService(), baseConfig('audit', port)]),
    ]);
    const backends = [directory, ...others];
    const grpcUrls = Object.fromEntries(backends.map((s) => [s.name, `${host}:${s.grpcPort}`])) as Record<BackendService, string>;
    const gatewayConfig: GatewayConfig = {
      ...baseConfig('gateway', 0),
      HTTP_PORT: options.gatewayPort,
      PORT: options.gatewayPort,
      JWT_SECRET: options.jwtSecret,
      JWT_ISSUER: 'atrium',
      JWT_AUDIENCE: 'atrium-api',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_SECONDS: 30 * 24 * 3600,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: 5,
      LOGIN_MAX_FAILURES_PER_IP: 50,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
      TRUST_PROXY: false,
      DIRECTORY_GRPC_URL: grpcUrls.directory,
      MESSAGING_GRPC_URL: grpcUrls.messaging,
      APPROVAL_GRPC_URL: grpcUrls.approval,
      REPORT_GRPC_URL: grpcUrls.report,
      AUDIT_GRPC_URL: grpcUrls.audit,
      WECOM_ACCESS_TOKEN_TTL_SECONDS: 7200,
      ATRIUM_SYNC_SECRET_CORP: 'demo',
      ...options.gatewayOverrides,
    };
    const gatewayLogger = createLogger('gateway', logLevel);
    const gateway = await startService(withPool(gatewayService(gatewayConfig), options.poolSize), gatewayConfig, {
      httpPort: options.gatewayPort,
      grpcPort: 0,
      host: options.gatewayHost ?? host,
      ...adapters(gatewayLogger),
    });
    started.push(gateway);
    // The backends are up: the gateway learns the existing corps at once, and is ready when this returns.
    await gateway.app.get(KnownCorpsCatchUp).start();
    const services = Object.fromEntries(started.map((s) => [s.name, s])) as Record<AnyService, RunningService>;
    const gatewayHost = options.gatewayHost ?? host;
    const gatewayUrl = `http://${gatewayHost === '0.0.0.0' ? '127.0.0.1' : gatewayHost}:${gateway.httpPort}`;
    return { gatewayUrl, services, grpcUrls, stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

function withPool(definition: ServiceDefinition, poolSize: number | undefined): ServiceDefinition {
  return poolSize === undefined ? definition : { ...definition, database: { ...definition.database, poolSize } };
}
