/** A record as the broker carries it. Values are JSON text; headers carry ids and trace context. */
export interface BrokerMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface ReceivedMessage extends BrokerMessage {
  partition: number;
  offset: string;
}

/**
 * What a handler may ask of the delivery it is working on while it waits (a retry through an
 * outage): keep its group membership alive, and learn whether it still owns the partition.
 */
export interface DeliveryControl {
  /** Tells the broker the consumer is alive (Kafka: a group heartbeat); never throws. */
  heartbeat(): Promise<void>;
  /** False once the subscription is stopping or the partition was given to another member. */
  isActive(): boolean;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /**
   * Called one message at a time per partition. The broker commits the message's offset only
   * after the returned promise resolves; after a rejection the message is not committed and is
   * delivered again after a pause (Kafka: the consumer restarts), never dropped or left stuck.
   */
  handle(message: ReceivedMessage, control: DeliveryControl): Promise<void>;
  /**
   * Instead of `handle`: called with up to `maxBatchSize` consecutive messages of one partition;
   * their offsets are committed only after the returned promise resolves.
   */
  handleBatch?(messages: ReceivedMessage[], control: DeliveryControl): Promise<void>;
  maxBatchSize?: number;
  /**
   * Throughput over promptness: the broker answers a fetch once it has a good amount of data or
   * after a short wait (Kafka: 64 KiB or 1 s), instead of as soon as one message is there. For
   * consumers of a busy topic whose events need not arrive within milliseconds (the archive, a
   * consumer of a rare event type on a shared topic): far fewer requests for broker and consumer.
   */
  fetchInBulk?: boolean;
}

export interface Subscription {
  /** Stops fetching, waits for the message in flight, commits, leaves the group. */
  stop(): Promise<void>;
}

/**
 * The transport under the event bus. Kafka in a cluster, an in-process log in embedded mode;
 * both give at-least-once delivery in key order per partition and durable group offsets.
 */
export interface MessageBroker {
  /** Resolves once every message is durably accepted (acks=all for Kafka). */
  publish(messages: BrokerMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  ensureTopics(topics: string[]): Promise<void>;
  /** Answers whether the broker is reachable now (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Stable partitioning so one key always lands on one partition (FNV-1a). */
export function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
