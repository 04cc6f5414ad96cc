import { createTestDatabase, TestDatabase, testInfra, uniqueSuffix } from '@atrium/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTelemetry } from '@atrium/platform';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AnyService, launchPlatform, LaunchOptions, RunningPlatform } from '../../src/launch-platform';

export interface TestPlatform extends RunningPlatform {
  identityKey: string;
  jwtSecret: string;
  topicPrefix: string;
  databases: Record<AnyService, TestDatabase>;
  /** The gateway's blob store (a directory), removed on teardown. */
  blobDir: string;
  teardown(): Promise<void>;
}

/** Spans of everything the test platform did; tests find their trace here. */
export const finishedSpans = new InMemorySpanExporter();
initTelemetry({ serviceName: 'atrium-test', spanProcessors: [new SimpleSpanProcessor(finishedSpans)] });

const SERVICES: AnyService[] = ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'];

/** The whole platform in this process against the real PostgreSQL, Kafka and Redis of scripts/infra. */
export async function startTestPlatform(overrides: Partial<LaunchOptions> = {}): Promise<TestPlatform> {
  const databases = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s, await createTestDatabase(`e2e_${s}`)] as const)),
  ) as Record<AnyService, TestDatabase>;
  const identityKey = randomBytes(32).toString('hex');
  const jwtSecret = randomBytes(32).toString('hex');
  const topicPrefix = `e2e-${uniqueSuffix()}.`;
  const blobDir = mkdtempSync(join(tmpdir(), 'atrium-e2e-blobs-'));
  const platform = await launchPlatform({
    gatewayPort: 0,
    identityKey,
    jwtSecret,
    databaseUrls: Object.fromEntries(SERVICES.map((s) => [s, databases[s].url])) as Record<AnyService, string>,
    bus: { kind: 'kafka', brokers: testInfra.kafkaBrokers(), topicPrefix },
    realtime: { kind: 'redis', url: testInfra.redisUrl() },
    logLevel: process.env.ATRIUM_TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
    gatewayOverrides: { ATRIUM_BLOB_STORE: 'fs', ATRIUM_BLOB_DIR: blobDir, ...overrides.gatewayOverrides },
  });
  return {
    ...platform,
    identityKey,
    jwtSecret,
    topicPrefix,
    databases,
    blobDir,
    async teardown() {
      await platform.stop();
      await Promise.all(Object.values(databases).map((db) => db.drop()));
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}
