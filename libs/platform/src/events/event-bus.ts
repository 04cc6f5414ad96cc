import { EventDefinition, EventEnvelope } from '@atrium/contracts';
import { DataSource } from 'typeorm';
import { SqlStatement, Tx } from '../database';
import { AppLogger } from '../logging';
import { BatchConsumeOptions, ConsumeOptions, EventConsumer } from './event-consumer';
import { MessageBroker, Subscription } from './message-broker';
import { appendToOutbox, outboxStatement } from './outbox';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';

/**
 * The event-bus port a service uses: publish inside a transaction, consume with idempotent
 * handlers. Which broker sits underneath (Kafka or the in-process log) is the adapter's business.
 */
export class EventBus {
  readonly relay: OutboxRelay;
  private readonly consumer: EventConsumer;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    service: string,
    dataSource: DataSource,
    readonly broker: MessageBroker,
    logger: AppLogger,
    relayOptions: OutboxRelayOptions = {},
  ) {
    this.relay = new OutboxRelay(dataSource, broker, logger, relayOptions);
    this.consumer = new EventConsumer(service, dataSource, broker, logger);
  }

  publish<T>(tx: Tx, definition: EventDefinition<T>, corpId: string, payload: T): Promise<EventEnvelope<T>> {
    return appendToOutbox(tx, definition, corpId, payload);
  }

  /**
   * The outbox row of an event as a statement the caller runs with its own writes in one round trip
   * (`runCombined`); as with `publish`, it is published if and only if that transaction commits.
   */
  prepare<T>(definition: EventDefinition<T>, corpId: string, payload: T): { envelope: EventEnvelope<T>; statement: SqlStatement } {
    return outboxStatement(definition, corpId, payload);
  }

  /** Runs `handle` for each event of `events`, its payload typed by its definition. */
  async consume<D extends EventDefinition>(options: ConsumeOptions<D>): Promise<void> {
    this.subscriptions.push(await this.consumer.consume(options));
  }

  /** Many events per transaction (see EventConsumer.consumeBatch). */
  async consumeBatch(options: BatchConsumeOptions): Promise<void> {
    this.subscriptions.push(await this.consumer.consumeBatch(options));
  }

  start(): void {
    this.relay.start();
  }

  /** Stops consuming (in-flight handlers finish and commit), then drains the relay's round. */
  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.stop()));
    await this.relay.stop();
  }
}
