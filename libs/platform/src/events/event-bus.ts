import { EventDefinition, EventEnvelope } from '@atrium/contracts';
import { DataSource } from 'typeorm';
import { Tx } from '../database';
import { AppLogger } from '../logging';
import { BatchConsumeOptions, ConsumeOptions, EventConsumer } from './event-consumer';
import { MessageBroker, Subscription } from './message-broker';
import { appendToOutbox } from './outbox';
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

  async consume(options: ConsumeOptions): Promise<void> {
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
