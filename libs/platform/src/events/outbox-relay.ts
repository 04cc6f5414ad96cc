import { DataSource, EntitySubscriberInterface } from 'typeorm';
import { AppLogger } from '../logging';
import { BrokerMessage, MessageBroker } from './message-broker';

export interface OutboxRelayOptions {
  batchSize?: number;
  /**
   * How long the relay sleeps when nothing woke it (default 10 s). Every transaction committed on
   * its DataSource wakes it (see `start`), so this only bounds how long a row written by someone
   * else waits: another process on the same database, a restored backup. An idle platform then
   * costs one query per service every 10 s instead of twenty a second.
   */
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
// try-lock fails and it tries again shortly (the holder's round may have looked before its commit).
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
  /** A nudge that came while a round ran: that round may have looked before the commit, so another one follows at once. */
  private nudged = false;
  /** The last round found rows but another replica held the relay lock: its round may have missed the newest ones. */
  private lockedOut = false;
  private lastCleanup = 0;
  private readonly commitWatcher: EntitySubscriberInterface = { afterTransactionCommit: () => this.nudge() };

  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: MessageBroker,
    private readonly logger: AppLogger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  /**
   * Starts relaying. The relay waits for a commit instead of polling: every transaction committed
   * on its DataSource nudges it (whether it wrote events or not, which costs one cheap query at
   * most every `minRoundGapMs` under load), so an event is relayed as soon as its transaction
   * commits and a platform at rest runs no queries at all.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.dataSource.subscribers.push(this.commitWatcher);
    this.loop = this.run();
  }

  /** Skips the wait: the relay looks for new rows now (or right after the round under way). */
  nudge(): void {
    this.nudged = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    const watcher = this.dataSource.subscribers.indexOf(this.commitWatcher);
    if (watcher >= 0) this.dataSource.subscribers.splice(watcher, 1);
    this.nudge();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const roundStartedAt = Date.now();
      this.nudged = false;
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
        const delay =
          failures > 0
            ? Math.min(5_000, 100 * 2 ** failures)
            : this.lockedOut
              ? (this.options.minRoundGapMs ?? 100)
              : (this.options.pollIntervalMs ?? 10_000);
        if (!this.nudged || failures > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            this.wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeUp = undefined;
        }
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
    this.lockedOut = false;
    if (!pending) return 0;
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [RELAY_LOCK]);
      if (!locked) {
        this.lockedOut = true;
        return 0;
      }
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
