import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { env, loadConfig, ConfigError } from '@atrium/platform';
import { z } from 'zod';
import { seedDemoCorp, signInHint } from './demo-seed';
import { loadOrCreateSecrets, writeRuntimeInfo } from './embedded-state';
import { startServiceProcesses } from './service-processes';

const schema = z.object({
  PORT: env.port(8080),
  ATRIUM_DATA_DIR: z.string().default('.data/services'),
  ATRIUM_ADMIN_PASSWORD: z.string().min(8, 'expected at least 8 characters').optional(),
  LOG_LEVEL: env.logLevel(),
  ATRIUM_TEST_PG_URL: env.url(['postgres', 'postgresql']).optional(),
  ATRIUM_TEST_REDIS_URL: env.url(['redis']).optional(),
  ATRIUM_TEST_KAFKA_BROKERS: env.brokers().optional(),
  // Several installations (or benchmark runs) side by side on one server: their own databases and topics.
  ATRIUM_DATABASE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/, 'expected a lower-case identifier')
    .default('atrium'),
  // More gateway processes behind one platform, as more pods would be; each listens on its own port.
  ATRIUM_GATEWAY_REPLICAS: z.coerce.number().int().min(1).max(16).default(1),
  // The archive, approval and report yield the CPU to the live path on this host (0 turns it off).
  ATRIUM_BACKGROUND_NICE: z.coerce.number().int().min(0).max(19).default(10),
});

function readInfraEnv(root: string): Record<string, string> {
  const file = join(root, '.data', 'infra.env');
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

/**
 * `npm run start:services`: the six services as separate processes against the PostgreSQL, Kafka
 * and Redis that `npm run infra:up` started (or any servers named by ATRIUM_TEST_* variables).
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..', '..');
  let config: z.infer<typeof schema>;
  try {
    config = loadConfig(schema, { ...readInfraEnv(root), ...process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`atrium: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  if (!config.ATRIUM_TEST_PG_URL || !config.ATRIUM_TEST_REDIS_URL || !config.ATRIUM_TEST_KAFKA_BROKERS) {
    process.stderr.write(
      "atrium: no servers to run against: start them with 'npm run infra:up' (or set ATRIUM_TEST_PG_URL, ATRIUM_TEST_REDIS_URL, ATRIUM_TEST_KAFKA_BROKERS)\n",
    );
    process.exit(78);
  }
  const dataDir = resolve(root, config.ATRIUM_DATA_DIR);
  const secrets = loadOrCreateSecrets(dataDir);
  const platform = await startServiceProcesses({
    pgAdminUrl: config.ATRIUM_TEST_PG_URL,
    databasePrefix: config.ATRIUM_DATABASE_PREFIX,
    topicPrefix: config.ATRIUM_DATABASE_PREFIX === 'atrium' ? '' : `${config.ATRIUM_DATABASE_PREFIX}.`,
    kafkaBrokers: config.ATRIUM_TEST_KAFKA_BROKERS,
    redisUrl: config.ATRIUM_TEST_REDIS_URL,
    identityKey: secrets.identityKey,
    jwtSecret: secrets.jwtSecret,
    gatewayPort: config.PORT,
    logLevel: config.LOG_LEVEL,
    distDir: join(root, 'dist'),
    backgroundNice: config.ATRIUM_BACKGROUND_NICE,
    onOutput: (service, line) => process.stdout.write(`[${service}] ${line}\n`),
  });
  const replicas: Awaited<ReturnType<typeof platform.addGatewayReplica>>[] = [];
  for (let i = 1; i < config.ATRIUM_GATEWAY_REPLICAS; i += 1) replicas.push(await platform.addGatewayReplica());
  const gatewayUrls = [platform.gatewayUrl, ...replicas.map((r) => r.url)];
  const processes = [
    ...Object.values(platform.processes).map((p) => ({ service: p.name, pid: p.child.pid ?? 0 })),
    ...replicas.map((r) => ({ service: 'gateway', pid: r.process.child.pid ?? 0 })),
  ];
  writeRuntimeInfo(dataDir, {
    pid: process.pid,
    gatewayUrl: platform.gatewayUrl,
    directoryGrpcUrl: platform.grpcUrls.directory,
    gatewayUrls,
    processes,
  });
  const seed = await seedDemoCorp(dataDir, platform.grpcUrls.directory, secrets.identityKey, config.ATRIUM_ADMIN_PASSWORD);
  process.stdout.write(
    [
      '',
      `Atrium (six processes) is running at ${platform.gatewayUrl}`,
      ...Object.values(platform.processes).map((p) => `  ${p.name.padEnd(9)} pid ${p.child.pid}  http :${p.httpPort}  grpc :${p.grpcPort}`),
      ...replicas.map((r) => `  gateway   pid ${r.process.child.pid}  http :${r.process.httpPort}  (replica)`),
      `  sign in:   corp "demo", account "admin", ${signInHint(seed)}`,
      `  CLI:       ATRIUM_DATA_DIR=${config.ATRIUM_DATA_DIR} npm run atrium -- corp create ...`,
      '',
    ].join('\n') + '\n',
  );
  const shutdown = () => {
    void Promise.all(replicas.map((r) => r.stop()))
      .then(() => platform.stop())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`atrium: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
