import { eventually, PrivatePostgres, startPrivatePostgres, testInfra, uniqueSuffix } from '@atrium/testing';
import {
  allMessages,
  archiveCounts,
  delay,
  FaultScene,
  readyzStatus,
  SenderReport,
  socketSender,
  startFaultScene,
} from './support/fault-harness';

/**
 * PostgreSQL crashes (`pg_ctl stop -m immediate`) under WebSocket traffic and comes back 10 s later.
 * Its own private server: the shared test cluster is never stopped. While it is down, sends fail
 * fast as UNAVAILABLE (retryable), never INTERNAL, and /readyz says not ready; once it is back the
 * services reconnect by themselves, and every acknowledged message is stored and archived once.
 */
describe('PostgreSQL outage under traffic', () => {
  let pg: PrivatePostgres;
  let scene: FaultScene;

  beforeAll(async () => {
    pg = await startPrivatePostgres('outage');
    const prefix = `pgo${uniqueSuffix()}`;
    scene = await startFaultScene({
      pgAdminUrl: `postgres://postgres@127.0.0.1:${pg.port}/postgres`,
      databasePrefix: prefix,
      kafkaBrokers: testInfra.kafkaBrokers(),
      topicPrefix: `${prefix}.`,
      redisUrl: testInfra.redisUrl(),
    });
  }, 240_000);

  afterAll(async () => {
    await scene?.platform.stop();
    await pg?.destroy();
  });

  it('refuses sends as UNAVAILABLE while it is down and loses no acknowledged message', async () => {
    const PER_SENDER = 80;
    const report: SenderReport = { acked: new Map(), errors: new Map() };
    let outage = { ackedAtCrash: 0, notReadySeen: false, restSend: { status: 0, retryAfter: null as string | null, code: '' } };
    let recoveredMs = 0;
    let waiting: { n: number; reached: () => void } | undefined;
    const acks = (n: number) => new Promise<void>((reached) => (report.acked.size >= n ? reached() : (waiting = { n, reached })));
    const onAck = () => {
      if (waiting && report.acked.size >= waiting.n) waiting.reached();
    };

    const disruptor = async () => {
      await acks(30);
      await pg.crash();
      const ackedAtCrash = report.acked.size;
      const notReady = await eventually(
        () => readyzStatus(scene.platform.gatewayUrl),
        (status) => status === 503,
        15_000,
        'gateway /readyz 503 while PostgreSQL is down',
      );
      const rest = await scene.call(scene.tokens.alice, 'POST', `/api/v1/conversations/${scene.conversationId}/messages`, {
        clientMsgId: 'rest-during-outage',
        type: 'text',
        content: { text: 'during the outage' },
      });
      outage = {
        ackedAtCrash,
        notReadySeen: notReady === 503,
        restSend: { status: rest.status, retryAfter: rest.headers.get('retry-after'), code: String(rest.json.code) },
      };
      await delay(10_000);
      const back = Date.now();
      await pg.start();
      await eventually(
        () => readyzStatus(scene.platform.gatewayUrl),
        (status) => status === 200,
        60_000,
        'gateway ready again',
      );
      recoveredMs = Date.now() - back;
    };

    await Promise.all([
      disruptor(),
      socketSender(scene, 'alice', PER_SENDER, report, onAck),
      socketSender(scene, 'bob', PER_SENDER, report, onAck),
    ]);

    // The crash landed mid-conversation, and the outage was answered as a retryable refusal.
    expect(outage.ackedAtCrash).toBeLessThan(2 * PER_SENDER);
    expect(outage.notReadySeen).toBe(true);
    expect(outage.restSend).toEqual({ status: 503, retryAfter: '1', code: 'UNAVAILABLE' });
    expect([...report.errors.keys()].filter((code) => !['UNAVAILABLE', 'NO_ANSWER', 'SOCKET_CLOSED', 'NO_SOCKET'].includes(code))).toEqual(
      [],
    );
    expect(report.errors.get('UNAVAILABLE') ?? 0).toBeGreaterThan(0);

    const total = 2 * PER_SENDER;
    const messages = await allMessages(scene);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(messages.map((m) => m.clientMsgId)).size).toBe(total);
    const bySeq = new Map(messages.map((m) => [m.clientMsgId, m.seq]));
    for (const [clientMsgId, seq] of report.acked) expect(bySeq.get(clientMsgId)).toBe(seq);

    const archived = await eventually(
      () => archiveCounts(scene),
      (counts) => counts.total >= total,
      120_000,
      'every message archived',
    );
    expect(archived).toEqual({ total, distinct: total });
    process.stdout.write(
      `${JSON.stringify({
        fault: 'postgres-outage',
        sent: total,
        acked: report.acked.size,
        stored: messages.length,
        archived: archived.total,
        duplicates: archived.total - archived.distinct,
        refusals: Object.fromEntries(report.errors),
        ackedAtCrash: outage.ackedAtCrash,
        readyAgainMsAfterRestart: recoveredMs,
      })}\n`,
    );
  }, 300_000);
});
