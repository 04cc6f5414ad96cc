import { SpanKind } from '@opentelemetry/api';
import { decodeEvent, deadLetterTopic, EventDefinition, EventEnvelope, EventValidationError } from '@atrium/contracts';
import { DataSource } from 'typeorm';
import { Tx } from '../database';
import { AppLogger } from '../logging';
import { extractTraceContext, inSpan } from '../telemetry';
import { MessageBroker, ReceivedMessage, Subscription } from './message-broker';

export type EventHandler = (tx: Tx, event: EventEnvelope, definition: EventDefinition) => Promise<void>;

export interface ConsumeOptions {
  /** `<service>.<purpose>`; offsets and dedupe are per group. */
  groupId: string;
  /** The catalogue entries this consumer accepts; their topics are subscribed. */
  events: readonly EventDefinition[];
  handle: EventHandler;
  /** Attempts before the event goes to `<topic>.dlq`. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
}

export const DLQ_HEADERS = {
  error: 'x-atrium-dlq-error',
  reason: 'x-atrium-dlq-reason',
  group: 'x-atrium-dlq-consumer-group',
  source: 'x-atrium-dlq-source',
  attempts: 'x-atrium-dlq-attempts',
} as const;

/**
 * Runs a handler for each event with the guarantees the platform promises: payloads validated
 * against the catalogue, the handler and the inbox row in one transaction (a redelivered event is
 * a no-op), offsets committed only after that transaction, bounded retries, then a dead letter
 * that carries the error — never a blocked partition, never a silently dropped event.
 */
export class EventConsumer {
  constructor(
    private readonly service: string,
    private readonly dataSource: DataSource,
    private readonly broker: MessageBroker,
    private readonly logger: AppLogger,
  ) {}

  async consume(options: ConsumeOptions): Promise<Subscription> {
    const topics = [...new Set(options.events.map((e) => e.topic))];
    await this.broker.ensureTopics([...topics, ...topics.map(deadLetterTopic)]);
    return this.broker.subscribe({
      groupId: options.groupId,
      topics,
      handle: (message) => this.process(options, message),
    });
  }

  private async process(options: ConsumeOptions, message: ReceivedMessage): Promise<void> {
    const parent = extractTraceContext(message.headers);
    await inSpan(
      this.service,
      `consume ${message.topic}`,
      SpanKind.CONSUMER,
      async (span) => {
        span.setAttribute('messaging.destination.name', message.topic);
        span.setAttribute('messaging.consumer.group.name', options.groupId);
        let decoded: ReturnType<typeof decodeEvent>;
        try {
          decoded = decodeEvent(message.value, options.events);
        } catch (error) {
          if (!(error instanceof EventValidationError)) throw error;
          // Other consumers of a shared topic may accept event types this one ignores.
          if (error.kind === 'unknown') return;
          await this.deadLetter(options, message, error, 'invalid', 1);
          return;
        }
        span.setAttribute('atrium.event.type', decoded.envelope.type);
        span.setAttribute('atrium.event.id', decoded.envelope.id);
        const maxAttempts = options.maxAttempts ?? 5;
        for (let attempt = 1; ; attempt++) {
          try {
            await this.handleOnce(options, decoded.envelope, decoded.definition, message.topic);
            return;
          } catch (error) {
            if (attempt >= maxAttempts) {
              await this.deadLetter(options, message, error as Error, 'handler_failed', attempt);
              return;
            }
            this.logger.warn(
              { err: error, attempt, eventId: decoded.envelope.id, group: options.groupId },
              'event handler failed; retrying',
            );
            await new Promise((resolve) => setTimeout(resolve, (options.retryBaseDelayMs ?? 100) * 2 ** (attempt - 1)));
          }
        }
      },
      parent,
      { 'messaging.system': 'kafka' },
    );
  }

  private async handleOnce(options: ConsumeOptions, envelope: EventEnvelope, definition: EventDefinition, topic: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const inserted = await tx.query<unknown[]>(
        `INSERT INTO platform_inbox (consumer_group, event_id, topic) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [options.groupId, envelope.id, topic],
      );
      if (inserted.length === 0) return; // seen before: its effects are already committed
      await options.handle(tx, envelope, definition);
    });
  }

  private async deadLetter(
    options: ConsumeOptions,
    message: ReceivedMessage,
    error: Error,
    reason: string,
    attempts: number,
  ): Promise<void> {
    this.logger.error({ err: error, group: options.groupId, topic: message.topic, offset: message.offset, reason }, 'event dead-lettered');
    await this.broker.publish([
      {
        topic: deadLetterTopic(message.topic),
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.error]: error.message.slice(0, 4_000),
          [DLQ_HEADERS.reason]: reason,
          [DLQ_HEADERS.group]: options.groupId,
          [DLQ_HEADERS.source]: `${message.topic}/${message.partition}/${message.offset}`,
          [DLQ_HEADERS.attempts]: String(attempts),
        },
      },
    ]);
  }
}
