import 'reflect-metadata';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  createLogger,
  EmbeddedPostgres,
  InMemoryKvStore,
  InProcessBroker,
  InProcessPubSub,
  initTelemetry,
  startEmbeddedPostgres,
} from '@atrium/platform';
import { KnownCorpsCatchUp } from '@atrium/service-gateway';
import { appHint, demoAppSecret, seedDemoCorp, signInHint } from './demo-seed';
import { EmbeddedConfig, loadEmbeddedConfig } from './embedded-config';
import { isSeeded, loadOrCreateSecrets, writeRuntimeInfo } from './embedded-state';
import { AnyService, freeLoopbackPort, launchPlatform } from './launch-platform';

const SERVICES: AnyService[] = ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'];

/**
 * Embedded mode: the whole platform in one Node process on a bare machine. Each service keeps its
 * own PostgreSQL (PGlite over the wire protocol) and its own gRPC server on loopback; the event
 * bus and pub/sub are the in-process twins of Kafka and Redis. Data lives in ATRIUM_DATA_DIR.
 */
async function main(): Promise<void> {
  let config: EmbeddedConfig;
  try {
    config = loadEmbeddedConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`atrium: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  initTelemetry({ serviceName: 'atrium-embedded' });
  const logger = createLogger('embedded', config.LOG_LEVEL);
  const dataDir = resolve(config.ATRIUM_DATA_DIR);
  const secrets = loadOrCreateSecrets(dataDir);
  // The gateway installs it when it learns of the demo corp (created below on a first start).
  const demoApp = demoAppSecret(config.ATRIUM_APP_SECRET, !isSeeded(dataDir));

  const databases: EmbeddedPostgres[] = await Promise.all(
    SERVICES.map(async (service) => startEmbeddedPostgres(join(dataDir, 'pg', service), await freeLoopbackPort())),
  );
  const databaseUrls = Object.fromEntries(SERVICES.map((service, i) => [service, databases[i].url])) as Record<AnyService, string>;
  const broker = new InProcessBroker({ dataDir: join(dataDir, 'bus') });
  const platform = await launchPlatform({
    host: '127.0.0.1',
    gatewayHost: config.HOST,
    gatewayPort: config.PORT,
    identityKey: secrets.identityKey,
    jwtSecret: secrets.jwtSecret,
    databaseUrls,
    bus: { kind: 'inprocess', broker },
    realtime: { kind: 'inprocess', pubsub: new InProcessPubSub(), kv: new InMemoryKvStore() },
    logLevel: config.LOG_LEVEL,
    poolSize: 1,
    gatewayOverrides: {
      ATRIUM_SYNC_SECRET_CORP: 'demo',
      // Uploaded files, next to the databases.
      ATRIUM_BLOB_STORE: 'fs',
      ATRIUM_BLOB_DIR: join(dataDir, 'blobs'),
      // The web client built next to this file (dist/apps/web), wherever the process was started from.
      ATRIUM_WEB_ROOT: join(__dirname, '..', '..', 'web'),
      ...(config.ATRIUM_SYNC_SECRET ? { ATRIUM_SYNC_SECRET: config.ATRIUM_SYNC_SECRET } : {}),
      ...(demoApp.secret ? { ATRIUM_APP_SECRET: demoApp.secret } : {}),
    },
  });
  const gatewayUrl = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${platform.services.gateway.httpPort}`;
  writeRuntimeInfo(dataDir, { pid: process.pid, gatewayUrl, directoryGrpcUrl: platform.grpcUrls.directory });

  const seed = await seedDemoCorp(dataDir, platform.grpcUrls.directory, secrets.identityKey, config.ATRIUM_ADMIN_PASSWORD);
  // The URL is printed only once the gateway is ready and knows the corp just seeded: a WeCom call
  // made at once would otherwise find no such corpid (40013) until the corp's event arrived.
  await platform.services.gateway.app.get(KnownCorpsCatchUp).learnAll();

  const lines = [
    '',
    `Atrium is running at ${gatewayUrl}`,
    `  API docs:  ${gatewayUrl}/docs`,
    `  health:    ${gatewayUrl}/healthz`,
    `  data:      ${dataDir}`,
    `  sign in:   corp "demo", account "admin", ${signInHint(seed)}`,
    `  app:       corp "demo", ${appHint(demoApp)} (/cgi-bin/gettoken, then message/send)`,
    `  e.g.       curl -s ${gatewayUrl}/api/v1/auth/login -H 'content-type: application/json' -d '{"corp":"demo","account":"admin","password":"…"}'`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await platform.stop();
    await broker.close();
    for (const db of databases) await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`atrium: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
