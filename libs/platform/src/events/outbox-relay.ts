import { DataSource } from 'typeorm';
import { AppLogger } from '../logging';
import { BrokerMessage, MessageBroker } from './message-broker';

export interface OutboxRelayOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  /**
   * A nudge never starts a round sooner than this after the previous one began (default 100 ms):
   * under load every commit nudges, and a round per event would cost a transaction and a Kafka
   * request each. Events wait at most this long; Kafka is off the live delivery path.
   */
  minRoundGapMs?: number;
  /** Published rows are kept this long for diagnosis, then deleted. */
  retainPublishedMs?: number;
  /** Test-only fault injection: called after publishing, before marking rows published. */
  afterPublish?: () => void;
}

interface OutboxRow {
  seq: string;
  topic: string;
  event_key: string;
  /** As text: the broker wants the JSON, and parsing it only to serialise it again costs a busy relay. */
  envelope: string;
  headers: Record<string, string>;
}

// One relay at a time per database keeps per-key order across replicas: a second replica's
// try-lock fails and it waits for the next round.
const RELAY_LOCK = 7_231_001;

/**
 * Publishes committed outbox rows in order. A row is marked published only after the broker
 * acknowledged it, so a crash in between republishes it: at-least-once, made exactly-once in
 * effect by the consumers' inbox.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private lastCleanup = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: MessageBroker,
    private readonly logger: AppLogger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Skips the poll delay: call after committing a transaction that wrote events. */
  nudge(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const roundStartedAt = Date.now();
      let published = 0;
      try {
        published = await this.relayBatch();
        failures = 0;
        await this.cleanup();
      } catch (error) {
        failures++;
        this.logger.warn({ err: error, failures }, 'outbox relay round failed; retrying');
      }
      const full = published >= (this.options.batchSize ?? 200);
      if (!full && this.running) {
        const delay = failures > 0 ? Math.min(5_000, 100 * 2 ** failures) : (this.options.pollIntervalMs ?? 50);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
        const gap = (this.options.minRoundGapMs ?? 100) - (Date.now() - roundStartedAt);
        if (gap > 0 && this.running) await new Promise((resolve) => setTimeout(resolve, gap));
      }
    }
  }

  /** Publishes one batch; returns how many rows it published. */
  async relayBatch(): Promise<number> {
    // An idle round is one cheap query, not a transaction of four: every service polls, all the time.
    const [{ pending }] = await this.dataSource.query<{ pending: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM platform_outbox WHERE published_at IS NULL) AS pending`,
    );
    if (!pending) return 0;
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [RELAY_LOCK]);
      if (!locked) return 0;
      const rows = await tx.query<OutboxRow[]>(
        `SELECT seq, topic, event_key, envelope::text AS envelope, headers FROM platform_outbox
          WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [this.options.batchSize ?? 200],
      );
      if (rows.length === 0) return 0;
      const messages: BrokerMessage[] = rows.map((row) => ({
        topic: row.topic,
        key: row.event_key,
        value: row.envelope,
        headers: row.headers,
      }));
      await this.broker.publish(messages);
      this.options.afterPublish?.();
      await tx.query(`UPDATE platform_outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      return rows.length;
    });
  }

  private async cleanup(): Promise<void> {
    const retain = this.options.retainPublishedMs ?? 3_600_000;
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.dataSource.query(
      `DELETE FROM platform_outbox WHERE published_at IS NOT NULL AND published_at < now() - ($1 || ' milliseconds')::interval`,
      [String(retain)],
    );
  }

  /** Rows committed but not yet published (exported as a metric). */
  async pending(): Promise<number> {
    const [{ count }] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM platform_outbox WHERE published_at IS NULL`,
    );
    return count;
  }
}
