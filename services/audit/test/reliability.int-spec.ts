import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MessageSent } from '@atrium/contracts';
import { createLogger, EventBus, KafkaBroker, openDatabase } from '@atrium/platform';
import { createTestDatabase, eventually, freePort, testInfra, TestDatabase, uniqueSuffix } from '@atrium/testing';
import { DataSource } from 'typeorm';
import { LocalKeyProvider } from '../src/crypto/local-key-provider';
import { verifyChain } from '../src/integrity/verify-chain';
import { messageSentPayload } from './audit-harness';

/**
 * The archive's promise under crashes: messages from 20 corps go through a real outbox relay into
 * Kafka while the audit service — the built process, `dist/services/audit/src/main.js` — is killed
 * with SIGKILL ten times mid-stream. Every message ends up archived exactly once and every corp's
 * hash chain (with the checkpoints cut meanwhile) verifies.
 *
 * AUDIT_RELIABILITY_MESSAGES sets the number of messages: 2,000 by default (about 1.5 min on two
 * cores, for every `npm test`); the figure, 20,000, is the long run (3.5–7 min):
 *   AUDIT_RELIABILITY_MESSAGES=20000 npx jest services/audit/test/reliability
 */
const MESSAGES = Number(process.env.AUDIT_RELIABILITY_MESSAGES ?? 2_000);
const CORPS = 20;
const KILLS = 10;
const root = join(__dirname, '..', '..', '..');
const main = join(root, 'dist', 'services', 'audit', 'src', 'main.js');

jest.setTimeout(600_000);

describe('audit archive under SIGKILL', () => {
  let consumerDb: TestDatabase;
  let producerDb: TestDatabase;
  let producer: DataSource;
  let archive: DataSource;
  let bus: EventBus;
  let child: ChildProcess | undefined;
  const output: string[] = [];
  const prefix = `audit-crash-${uniqueSuffix()}.`;
  const masterKey = randomBytes(32);
  const corps = Array.from({ length: CORPS }, (_, i) => `crash-corp-${i}-${uniqueSuffix()}`);

  const startAudit = async (): Promise<ChildProcess> => {
    const process_ = spawn(process.execPath, ['-r', join(__dirname, 'fixtures', 'short-kafka-session.js'), main], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: consumerDb.url,
        KAFKA_BROKERS: testInfra.kafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        REDIS_URL: testInfra.redisUrl(),
        ATRIUM_IDENTITY_KEY: randomBytes(32).toString('hex'),
        ATRIUM_AUDIT_MASTER_KEY: masterKey.toString('base64'),
        AUDIT_CHECKPOINT_INTERVAL_SECONDS: '2',
        HTTP_PORT: '0',
        GRPC_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
    process_.stdout?.on('data', keep);
    process_.stderr?.on('data', keep);
    return process_;
  };

  const kill = async (target: ChildProcess) => {
    const exited = new Promise((resolve) => target.once('exit', resolve));
    target.kill('SIGKILL');
    await exited;
  };

  const archived = async () =>
    (await archive.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_records WHERE event_type = 'messaging.message.sent'`))[0].n;

  beforeAll(async () => {
    // The test runs the service as it ships: compiled. An incremental build is quick when nothing changed.
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
    [consumerDb, producerDb] = await Promise.all([createTestDatabase('audit_crash'), createTestDatabase('audit_crash_p')]);
    producer = await openDatabase({ url: producerDb.url, entities: [], migrations: [] });
    const logger = createLogger('crash-producer', 'silent');
    bus = new EventBus(
      'crash-producer',
      producer,
      new KafkaBroker({ clientId: 'crash-producer', brokers: testInfra.kafkaBrokers(), prefix, logger }),
      logger,
      { pollIntervalMs: 20, batchSize: 1_000 },
    );
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) await kill(child);
    await bus?.stop();
    await bus?.broker.close();
    await producer?.destroy();
    await archive?.destroy();
    await Promise.all([consumerDb?.drop(), producerDb?.drop()]);
  });

  it(`archives ${MESSAGES} messages exactly once across ${KILLS} SIGKILLs, and every chain verifies`, async () => {
    child = await startAudit();
    await eventually(
      () => output.some((line) => line.includes('audit started')),
      Boolean,
      60_000,
      'the first audit process to start (it runs the migrations)',
    );
    archive = await openDatabase({ url: consumerDb.url, entities: [], migrations: [] });

    // Produce in the background, the whole time the consumer is being killed.
    bus.start();
    const producing = (async () => {
      const perTx = 250;
      for (let sent = 0; sent < MESSAGES; sent += perTx) {
        await producer.transaction(async (tx) => {
          for (let i = sent; i < Math.min(MESSAGES, sent + perTx); i++) {
            const corpId = corps[i % CORPS];
            await bus.publish(
              tx,
              MessageSent,
              corpId,
              messageSentPayload({ corpId, conversationId: `conv-${i % 97}`, sender: `user-${i % 13}`, text: `message ${i} 消息内容` }),
            );
          }
        });
      }
    })();

    const started = Date.now();
    const step = Math.floor(MESSAGES / (KILLS + 3));
    let kills = 0;
    for (let target = step; kills < KILLS; target += step) {
      await eventually(archived, (n) => n >= target, 120_000, `${target} archived before kill ${kills + 1}`);
      // A random moment within the next transactions, not a quiet point between them.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 200)));
      await kill(child);
      kills++;
      child = await startAudit();
    }
    await producing;
    const total = await eventually(archived, (n) => n >= MESSAGES, 180_000, `all ${MESSAGES} messages archived`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Processes killed within 2 s of starting cut no checkpoint (AUDIT_CHECKPOINT_INTERVAL_SECONDS), and the
    // faster the ingest the sooner each kill comes: wait for the last process's round instead of racing it.
    await eventually(
      async () => (await archive.query<{ n: number }[]>(`SELECT count(DISTINCT corp_id)::int AS n FROM audit_checkpoints`))[0].n,
      (n) => n === CORPS,
      30_000,
      'a checkpoint of every corp',
    );
    process.stderr.write(`audit crash test: ${MESSAGES} messages, ${kills} kills, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    expect(total).toBe(MESSAGES);
    expect(await archived()).toBe(MESSAGES);
    const [{ distinct }] = await archive.query<{ distinct: number }[]>(
      `SELECT count(DISTINCT event_id)::int AS distinct FROM audit_records WHERE event_type = 'messaging.message.sent'`,
    );
    expect(distinct).toBe(MESSAGES);
    const produced = await producer.query<{ event_id: string }[]>(`SELECT event_id FROM platform_outbox`);
    const archivedIds = new Set((await archive.query<{ event_id: string }[]>(`SELECT event_id FROM audit_records`)).map((r) => r.event_id));
    expect(produced.filter((r) => !archivedIds.has(r.event_id))).toEqual([]);

    const publicKey = await new LocalKeyProvider(masterKey).signingPublicKeyPem();
    const reports = await Promise.all(corps.map((corpId) => verifyChain(archive, corpId, publicKey)));
    expect(reports.filter((r) => !r.ok)).toEqual([]);
    expect(reports.map((r) => r.recordsChecked)).toEqual(corps.map(() => MESSAGES / CORPS));
    expect(reports.every((r) => r.checkpointsChecked > 0)).toBe(true);
  });
});
