import { Admin, ConsumerRunConfig, Kafka, KafkaMessage, logLevel, Producer } from 'kafkajs';
import { AppLogger } from '../logging';
import { applyKafkajsIdleFix } from './kafkajs-idle-fix';
import { retryDelayMs } from './retry-backoff';
import { BrokerMessage, DeliveryControl, MessageBroker, ReceivedMessage, SubscribeOptions, Subscription } from './message-broker';

applyKafkajsIdleFix();

export interface KafkaBrokerOptions {
  clientId: string;
  brokers: string[];
  /** Prepended to every topic and group: isolates test files and environments sharing a cluster. */
  prefix?: string;
  partitions?: number;
  logger?: AppLogger;
  /** A member silent for this long leaves its group (default 15 s; tests use Kafka's minimum, 6 s). */
  sessionTimeoutMs?: number;
}

/**
 * How long a fetch waits at the broker for a first message. A stop (SIGTERM) waits for the pending
 * fetch: at 5 s (kafkajs's default) a service restarted and stopped at once under load overran its
 * 25 s shutdown deadline, so 2 s — an idle consumer still asks only every 2 s.
 */
const FETCH_WAIT_MS = 2_000;
/** In bulk, the longest an event waits for 64 KiB to gather: the latency of a quiet topic's consumer. */
const BULK_FETCH_WAIT_MS = 1_000;
const DEFAULT_SESSION_TIMEOUT_MS = 15_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
/** Producer refusals after which only a new producer (a new producer id) can send again. */
const PRODUCER_STATE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);
/** Commit refusals after which kafkajs' runner rejoins the group when it sees them unwrapped. */
const REJOIN_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

/** The only place that talks to kafkajs, so the client can be swapped behind MessageBroker. */
export class KafkaBroker implements MessageBroker {
  private readonly kafka: Kafka;
  private producer?: Promise<Producer>;
  private admin?: Promise<Admin>;
  private readonly subscriptions = new Set<Subscription>();
  private readonly prefix: string;
  private readonly knownTopics = new Set<string>();

  constructor(private readonly options: KafkaBrokerOptions) {
    this.prefix = options.prefix ?? '';
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      // kafkajs retries transient broker states itself (a coordinator loading, a rebalance); its
      // chatter goes to our JSON log at debug level, our own code logs what it gives up on.
      logCreator:
        () =>
        ({ namespace, log, label }) =>
          options.logger?.debug({ kafkajs: namespace, ...log }, `kafkajs ${label}: ${log.message}`),
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
  }

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      // Idempotent producer: a retried send never duplicates within the session; acks=all below.
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  private getAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }

  async ensureTopics(topics: string[]): Promise<void> {
    const missing = topics.map((t) => this.prefix + t).filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    const admin = await this.getAdmin();
    // A broker that has just started may not have registered itself yet and answers "invalid
    // replication factor": retry for a while instead of failing the service's start.
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const toCreate = missing.filter((t) => !existing.has(t));
        if (toCreate.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: toCreate.map((topic) => ({ topic, numPartitions: this.options.partitions ?? 3 })),
          });
        }
        // Another client may have created them a moment ago: wait until every partition has a leader.
        const metadata = await admin.fetchTopicMetadata({ topics: missing });
        if (metadata.topics.some((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0))) {
          throw new Error('topic partitions have no leader yet');
        }
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        this.options.logger?.warn({ err: error, attempt }, 'creating Kafka topics failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(3_000, 200 * attempt)));
      }
    }
    missing.forEach((t) => this.knownTopics.add(t));
  }

  async publish(messages: BrokerMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ensureTopics([...new Set(messages.map((m) => m.topic))]);
    const byTopic = new Map<string, BrokerMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    const producer = await this.getProducer();
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic: this.prefix + topic,
          messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        })),
      });
    } catch (error) {
      // A broker killed with -9 can lose an idempotent producer's state: every later send is then
      // refused as out of order, and kafkajs never recovers that producer. The next send gets a
      // new one (a new producer id); what is sent again is deduplicated by the consumers' inbox.
      if (PRODUCER_STATE_LOST.has((error as { type?: string }).type ?? '') && this.producer) {
        this.producer = undefined;
        void producer.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.ensureTopics(options.topics);
    const sessionTimeoutMs = this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const consumer = this.kafka.consumer({
      groupId: this.prefix + options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: sessionTimeoutMs,
      // kafkajs heartbeats between fetches (and we heartbeat while a handler works), so a fetch may
      // wait at most a third of the session.
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      // A fetch waits at the broker until a message is there (or, in bulk, 64 KiB or 1 s): an idle
      // consumer then costs the broker and itself one request per wait instead of two a second.
      // The price is paid on stop, which waits for the pending fetch: up to the wait, at SIGTERM.
      maxWaitTimeInMs: Math.min(options.fetchInBulk ? BULK_FETCH_WAIT_MS : FETCH_WAIT_MS, Math.floor(sessionTimeoutMs / 3)),
      minBytes: options.fetchInBulk ? 64 * 1024 : 1,
      retry: { retries: 8 },
    });
    await consumer.connect();
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.subscribe({ topics: options.topics.map((t) => this.prefix + t), fromBeginning: true });
        break;
      } catch (error) {
        // Metadata of a just-created topic can lag on the broker the consumer asks.
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
    const toReceived = (topic: string, partition: number, message: KafkaMessage): ReceivedMessage => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
      }
      return {
        topic: topic.slice(this.prefix.length),
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        headers,
        partition,
        offset: message.offset,
      };
    };
    const handleBatch = options.handleBatch?.bind(options);
    const size = Math.max(1, options.maxBatchSize ?? 500);
    const runConfig: ConsumerRunConfig = {
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        // A heartbeat refused because the group rebalances: give up the delivery (uncommitted) so the
        // consumer can rejoin, instead of retrying on until the session times out.
        let rebalancing = false;
        const control: DeliveryControl = {
          heartbeat: () =>
            payload.heartbeat().catch((error: { type?: string }) => {
              if (['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'].includes(error?.type ?? '')) rebalancing = true;
            }),
          isActive: () => !rebalancing && payload.isRunning() && !payload.isStale(),
        };
        // kafkajs heartbeats only when asked to: a handler busier than the session timeout (a big
        // archive batch on a busy host) lost the group membership, and the commit after it crashed
        // the consumer. The membership is kept alive while the handler works, as Java's consumer
        // does from its heartbeat thread.
        const keepAlive = setInterval(() => void control.heartbeat(), HEARTBEAT_INTERVAL_MS);
        // Offsets are committed only after the handler (and its transaction) succeeded, once per
        // fetched batch rather than once per message: a crash in between redelivers what followed
        // the last commit, and the handlers' inbox makes those repeats no-ops. A commit per message
        // cost the broker a request for every event each group read, skipped ones included.
        let handled: string | undefined;
        try {
          if (handleBatch) {
            for (let start = 0; start < batch.messages.length; start += size) {
              if (!control.isActive()) return;
              const chunk = batch.messages.slice(start, start + size);
              await handleBatch(
                chunk.map((m) => toReceived(batch.topic, batch.partition, m)),
                control,
              );
              handled = chunk[chunk.length - 1].offset;
              payload.resolveOffset(handled);
              await control.heartbeat();
            }
          } else {
            for (const message of batch.messages) {
              if (!control.isActive()) return;
              await options.handle(toReceived(batch.topic, batch.partition, message), control);
              handled = message.offset;
              payload.resolveOffset(handled);
              await control.heartbeat();
            }
          }
        } catch (error) {
          // A handler that gave up because the consumer is stopping or lost the partition: what it
          // did not finish stays uncommitted and is delivered again (here or to the new owner).
          if (!control.isActive()) return;
          throw error;
        } finally {
          clearInterval(keepAlive);
          // A delivery that outlived its runner (the consumer crashed or stopped meanwhile) has no
          // group to commit to: kafkajs throws, and that stray error used to crash the restarted
          // consumer and cancel kafkajs' own restart. What it handled is delivered again, a no-op.
          if (handled !== undefined && payload.isRunning()) await commit(batch.topic, batch.partition, handled);
        }
      },
    };
    const commit = async (topic: string, partition: number, handled: string) => {
      try {
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(handled) + 1n).toString() }]);
      } catch (error) {
        // kafkajs wraps a commit refused by a rebalance (or by a coordinator that no longer knows
        // the member) in an error its runner does not recognise, and crashes the consumer for good
        // instead of rejoining. Thrown bare, the runner rejoins; what was not committed comes again.
        const { cause } = error as { cause?: unknown };
        if (cause instanceof Error && REJOIN_ERRORS.has((cause as { type?: string }).type ?? '')) throw cause;
        throw error;
      }
    };

    // kafkajs restarts a crashed consumer only for errors it deems retriable; after any other
    // (a TypeError in a handler, a refused commit) it stays stopped while the service runs on,
    // its partitions' lag growing. Such a consumer is started again here, with back-off.
    let stopping = false;
    let restarts = 0;
    let restartTimer: NodeJS.Timeout | undefined;
    const group = options.groupId;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      restarts = 0;
    });
    consumer.on(consumer.events.CRASH, ({ payload: { error, restart } }) => {
      if (stopping) return;
      if (restart) {
        this.options.logger?.warn({ err: error, group }, 'Kafka consumer crashed; kafkajs restarts it');
        return;
      }
      const delay = retryDelayMs(++restarts, 500, 30_000);
      this.options.logger?.error(
        { err: error, group, restarts, delayMs: delay },
        'Kafka consumer crashed on an error kafkajs does not retry; restarting it',
      );
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        if (stopping) return;
        consumer
          .run(runConfig)
          .catch((runError: unknown) => this.options.logger?.error({ err: runError, group }, 'restarting a Kafka consumer failed'));
      }, delay);
    });
    await consumer.run(runConfig);
    const subscription: Subscription = {
      stop: async () => {
        stopping = true;
        clearTimeout(restartTimer);
        this.subscriptions.delete(subscription);
        await consumer.stop();
        await consumer.disconnect();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<boolean> {
    try {
      const admin = await this.getAdmin();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    const [producer, admin] = await Promise.allSettled([this.producer, this.admin]);
    if (producer.status === 'fulfilled' && producer.value) await producer.value.disconnect();
    if (admin.status === 'fulfilled' && admin.value) await admin.value.disconnect();
    this.producer = undefined;
    this.admin = undefined;
  }
}
