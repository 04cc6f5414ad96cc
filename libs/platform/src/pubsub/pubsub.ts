import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import { createFailFastRedis, dropIfTimedOut } from '../redis/fail-fast-redis';

export type PubSubHandler = (message: string) => void;

/**
 * Realtime fan-out between gateway replicas: a replica subscribes to the channels of the users
 * whose sockets it holds and receives what any replica publishes there. Fire-and-forget by design:
 * durability comes from the per-conversation sequence and sync, not from pub/sub.
 */
export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function unsubscribes this handler. */
  subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>>;
  /**
   * Called each time the subscriptions are active again after the connection carrying them was
   * lost: whatever was published meanwhile never arrived, so the holders of sockets must resync.
   */
  onResumed(listener: () => void): void;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Resolves once the connection has passed ioredis' ready check (commands no longer queue offline). */
function whenReady(connection: Redis): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => connection.once('ready', () => resolve()));
}

export class RedisPubSub implements PubSub {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, Set<PubSubHandler>>();
  private readonly active = new Map<string, Promise<unknown>>();
  private readonly resumedListeners: (() => void)[] = [];
  private closing = false;

  constructor(
    url: string,
    private readonly prefix = '',
    onError: (error: Error) => void = () => undefined,
  ) {
    // Publishes issued in one turn of the event loop (a committed group of messages) share one
    // write. During an outage a publish fails at once: the sender's response never waits for Redis.
    this.publisher = createFailFastRedis(url, onError, { enableAutoPipelining: true });
    // A connection in subscriber mode cannot publish, hence two. Its SUBSCRIBEs wait for the
    // connection (see whenReady); ioredis resubscribes by itself after a reconnect.
    this.subscriber = new Redis(url, { maxRetriesPerRequest: 3, enableOfflineQueue: true });
    // ioredis reconnects by itself; without listeners it would print every failed attempt.
    this.subscriber.on('error', onError);
    this.subscriber.on('message', (channel: string, message: string) => {
      this.handlers.get(channel)?.forEach((handler) => handler(message));
    });
    this.watchSubscriber();
  }

  onResumed(listener: () => void): void {
    this.resumedListeners.push(listener);
  }

  private watchSubscriber(): void {
    let lost = false;
    this.subscriber.on('close', () => {
      lost = !this.closing;
    });
    this.subscriber.on('ready', () => {
      if (!lost) return;
      lost = false;
      // ioredis wrote the SUBSCRIBEs of every channel before 'ready' reached us; a PING's reply
      // comes after theirs, so once it is back every subscription is active again.
      this.subscriber.ping().then(
        () => this.resumedListeners.forEach((listener) => listener()),
        () => undefined, // lost again: the next 'ready' tries once more
      );
    });
  }

  async publish(channel: string, message: string): Promise<void> {
    try {
      await this.publisher.publish(this.prefix + channel, message);
    } catch (error) {
      dropIfTimedOut(this.publisher, error);
      throw error;
    }
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    const full = this.prefix + channel;
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      // SUBSCRIBE only on a ready connection: a subscription queued while connecting was seen to
      // be acknowledged before it took effect, dropping the first messages under load.
      this.active.set(
        full,
        whenReady(this.subscriber).then(() => this.subscriber.subscribe(full)),
      );
    }
    set.add(handler);
    // Concurrent subscribers of a new channel all wait for the one SUBSCRIBE round trip.
    await this.active.get(full);
    return async () => {
      const current = this.handlers.get(full);
      if (!current?.delete(handler) || current.size > 0) return;
      this.handlers.delete(full);
      this.active.delete(full);
      await this.subscriber.unsubscribe(full);
    };
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.publisher.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handlers.clear();
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
  }
}

/** Embedded twin: one process holds every socket, so an emitter is the whole network. */
export class InProcessPubSub implements PubSub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: string): Promise<void> {
    // Asynchronous like Redis: a publisher never runs subscriber code on its own stack.
    setImmediate(() => this.emitter.emit(channel, message));
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    this.emitter.on(channel, handler);
    return async () => {
      this.emitter.off(channel, handler);
    };
  }

  onResumed(): void {
    // One process: delivery is never interrupted.
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
