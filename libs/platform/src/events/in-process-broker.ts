import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BrokerMessage,
  DeliveryControl,
  MessageBroker,
  partitionFor,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
} from './message-broker';

export interface InProcessBrokerOptions {
  partitions?: number;
  /** When set, the log and group offsets survive a restart (embedded mode keeps them in ATRIUM_DATA_DIR). */
  dataDir?: string;
  /** Delay before a failed handler sees the same message again. */
  redeliveryDelayMs?: number;
  /**
   * With a dataDir: committed offsets reach the disk at most this often (default 200 ms) and on
   * close. A crash forgets the last interval's commits, so those messages come again: the
   * at-least-once a Kafka consumer also gives, made exactly-once by the consumers' inbox.
   */
  offsetsFlushMs?: number;
}

interface Group {
  id: string;
  topics: string[];
  handle: SubscribeOptions['handle'];
  handleBatch?: SubscribeOptions['handleBatch'];
  maxBatchSize: number;
  running: boolean;
  loops: Promise<void>[];
  waiters: Set<() => void>;
}

function wake(group: Group): void {
  const waiters = [...group.waiters];
  group.waiters.clear();
  waiters.forEach((resolve) => resolve());
}

/**
 * Embedded twin of Kafka with the semantics the event bus relies on: a log per topic partition,
 * key-ordered partitions, per-group committed offsets, redelivery of what was not committed,
 * one message (or one batch) in flight per partition and group. It passes the same contract suite as Kafka.
 */
export class InProcessBroker implements MessageBroker {
  private readonly partitions: number;
  private readonly logs = new Map<string, ReceivedMessage[][]>();
  private readonly offsets: Record<string, number> = {};
  private readonly groups = new Set<Group>();
  private offsetsFlush?: NodeJS.Timeout;

  constructor(private readonly options: InProcessBrokerOptions = {}) {
    this.partitions = options.partitions ?? 3;
    if (options.dataDir) this.load(options.dataDir);
  }

  async ensureTopics(topics: string[]): Promise<void> {
    for (const topic of topics) this.log(topic);
  }

  async publish(messages: BrokerMessage[]): Promise<void> {
    const lines: string[] = [];
    for (const message of messages) {
      const partitions = this.log(message.topic);
      const partition = partitionFor(message.key, this.partitions);
      const record: ReceivedMessage = { ...message, partition, offset: String(partitions[partition].length) };
      partitions[partition].push(record);
      lines.push(JSON.stringify(record) + '\n');
    }
    // One append per publish, not per message: these writes block the event loop of the whole
    // embedded platform. A crash half-way through it was never acknowledged: the relay publishes
    // the batch again, and the inbox drops the copies of what made it.
    if (this.options.dataDir && lines.length > 0) appendFileSync(join(this.options.dataDir, 'log.jsonl'), lines.join(''));
    this.groups.forEach(wake);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const group: Group = {
      id: options.groupId,
      topics: options.topics,
      handle: options.handle.bind(options),
      handleBatch: options.handleBatch?.bind(options),
      maxBatchSize: Math.max(1, options.maxBatchSize ?? 500),
      running: true,
      loops: [],
      waiters: new Set(),
    };
    this.groups.add(group);
    for (const topic of options.topics) {
      for (let partition = 0; partition < this.partitions; partition++) {
        group.loops.push(this.consumePartition(group, topic, partition));
      }
    }
    return { stop: () => this.stopGroup(group) };
  }

  private async stopGroup(group: Group): Promise<void> {
    group.running = false;
    wake(group);
    this.groups.delete(group);
    await Promise.all(group.loops);
  }

  private async consumePartition(group: Group, topic: string, partition: number): Promise<void> {
    const offsetKey = `${group.id}|${topic}|${partition}`;
    const control: DeliveryControl = { heartbeat: () => Promise.resolve(), isActive: () => group.running };
    while (group.running) {
      const next = this.offsets[offsetKey] ?? 0;
      const log = this.log(topic)[partition];
      const record = log[next];
      if (!record) {
        await new Promise<void>((resolve) => group.waiters.add(resolve));
        continue;
      }
      try {
        if (group.handleBatch) {
          const batch = log.slice(next, next + group.maxBatchSize);
          await group.handleBatch(batch, control);
          this.commit(offsetKey, next + batch.length);
        } else {
          await group.handle(record, control);
          this.commit(offsetKey, next + 1);
        }
      } catch {
        // Not committed: the same record comes again, as after a Kafka consumer restart.
        await new Promise((resolve) => setTimeout(resolve, this.options.redeliveryDelayMs ?? 200));
      }
    }
  }

  /**
   * Rewriting the offsets file on every commit cost a synchronous write and rename per message
   * and consumer group, on the platform's only event loop: an import of 2,000 members spent
   * seconds there. Commits are written together, at most every offsetsFlushMs.
   */
  private commit(offsetKey: string, offset: number): void {
    this.offsets[offsetKey] = offset;
    if (this.options.dataDir && !this.offsetsFlush) {
      this.offsetsFlush = setTimeout(() => this.flushOffsets(), this.options.offsetsFlushMs ?? 200);
    }
  }

  private flushOffsets(): void {
    clearTimeout(this.offsetsFlush);
    this.offsetsFlush = undefined;
    if (!this.options.dataDir) return;
    const file = join(this.options.dataDir, 'offsets.json');
    writeFileSync(file + '.tmp', JSON.stringify(this.offsets));
    renameSync(file + '.tmp', file);
  }

  private log(topic: string): ReceivedMessage[][] {
    let partitions = this.logs.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: this.partitions }, () => []);
      this.logs.set(topic, partitions);
    }
    return partitions;
  }

  private load(dataDir: string): void {
    mkdirSync(dataDir, { recursive: true });
    const logFile = join(dataDir, 'log.jsonl');
    if (existsSync(logFile)) {
      for (const line of readFileSync(logFile, 'utf8').split('\n')) {
        if (!line) continue;
        // A torn last line (crash mid-append) was never acknowledged to the relay: drop it.
        let record: ReceivedMessage;
        try {
          record = JSON.parse(line) as ReceivedMessage;
        } catch {
          continue;
        }
        const partition = this.log(record.topic)[record.partition];
        record.offset = String(partition.length);
        partition.push(record);
      }
    }
    const offsetsFile = join(dataDir, 'offsets.json');
    if (existsSync(offsetsFile)) Object.assign(this.offsets, JSON.parse(readFileSync(offsetsFile, 'utf8')) as Record<string, number>);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.groups].map((group) => this.stopGroup(group)));
    if (this.offsetsFlush) this.flushOffsets();
  }
}
