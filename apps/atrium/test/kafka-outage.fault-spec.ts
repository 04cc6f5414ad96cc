import { eventually, PrivateKafka, startPrivateKafka, testInfra, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import {
  allMessages,
  archiveCounts,
  delay,
  FaultScene,
  SenderReport,
  socketReceiver,
  socketSender,
  startFaultScene,
} from './support/fault-harness';

const KILLS = 3;

/**
 * The Kafka broker is killed with SIGKILL three times under WebSocket traffic and started again
 * each time (a private broker: the shared one is never touched). No service is restarted: every
 * acknowledged message is stored, delivered and archived once, and delivery resumes soon after the
 * broker is back.
 */
describe('Kafka broker kill -9 under traffic', () => {
  let kafka: PrivateKafka;
  let scene: FaultScene;
  const prefix = `kfo${uniqueSuffix()}`;

  beforeAll(async () => {
    kafka = await startPrivateKafka('outage');
    scene = await startFaultScene({
      pgAdminUrl: testInfra.pgUrl(),
      databasePrefix: prefix,
      kafkaBrokers: kafka.brokers,
      topicPrefix: `${prefix}.`,
      redisUrl: testInfra.redisUrl(),
    });
  }, 300_000);

  afterAll(async () => {
    await scene?.platform.stop();
    await kafka?.destroy();
    const pg = new Client({ connectionString: testInfra.pgUrl() });
    await pg.connect();
    for (const s of ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'])
      await pg.query(`DROP DATABASE IF EXISTS "${prefix}_${s}" WITH (FORCE)`);
    await pg.end();
  });

  it('keeps every acknowledged message stored, delivered and archived once across three broker kills', async () => {
    const report: SenderReport = { acked: new Map(), errors: new Map() };
    const receiver = socketReceiver(scene, 'bob');
    let disrupting = true;
    const stalls: number[] = [];
    const waitForAcks = async (more: number) => {
      const target = report.acked.size + more;
      await eventually(
        () => report.acked.size,
        (n) => n >= target,
        120_000,
        `${target} acknowledged messages`,
      );
    };

    const disruptor = async () => {
      try {
        for (let kill = 0; kill < KILLS; kill++) {
          await waitForAcks(20);
          await kafka.kill();
          await delay(3_000);
          await kafka.start();
          const back = Date.now();
          // Delivery resumes: a frame for a message acknowledged after the broker came back.
          const ackedBack = report.acked.size;
          await waitForAcks(5);
          const after = await eventually(
            () => receiver.frames.find((f) => f.at >= back && f.seq > ackedBack),
            Boolean,
            20_000,
            'a delivery within 20 s of the broker being back',
          );
          stalls.push(after!.at - back);
        }
      } finally {
        disrupting = false;
      }
    };

    await Promise.all([
      disruptor(),
      socketSender(scene, 'alice', 20, report, undefined, () => disrupting, 100),
      socketSender(scene, 'bob', 20, report, undefined, () => disrupting, 100),
    ]);

    const messages = await allMessages(scene);
    const total = messages.length;
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(messages.map((m) => m.clientMsgId)).size).toBe(total);
    const bySeq = new Map(messages.map((m) => [m.clientMsgId, m.seq]));
    for (const [clientMsgId, seq] of report.acked) expect(bySeq.get(clientMsgId)).toBe(seq);
    expect(total).toBe(report.acked.size);

    const delivered = await eventually(
      () => new Set(receiver.frames.map((f) => f.seq)),
      (seqs) => seqs.size >= total,
      60_000,
      'every message delivered to the listening socket',
    );
    receiver.close();
    expect([...delivered].sort((a, b) => a - b)).toEqual(messages.map((m) => m.seq));
    const duplicateFrames = receiver.frames.length - delivered.size;

    const archived = await eventually(
      () => archiveCounts(scene),
      (counts) => counts.total >= total,
      120_000,
      'every message archived',
    );
    expect(archived).toEqual({ total, distinct: total });
    expect(stalls).toHaveLength(KILLS);
    process.stdout.write(
      `${JSON.stringify({
        fault: 'kafka-kill-9',
        kills: KILLS,
        sent: report.acked.size,
        acked: report.acked.size,
        stored: total,
        delivered: delivered.size,
        duplicateFrames,
        archived: archived.total,
        duplicatesArchived: archived.total - archived.distinct,
        refusals: Object.fromEntries(report.errors),
        deliveryStallAfterBrokerBackMs: stalls,
      })}\n`,
    );
  }, 600_000);
});
