import { SpanKind } from '@opentelemetry/api';
import { decodeEvent, deadLetterTopic, EventDefinition, EventEnvelope, EventOf, EventValidationError } from '@atrium/contracts';
import { DataSource } from 'typeorm';
import { Tx } from '../database';
import { isTransientFailure } from '../errors';
import { AppLogger } from '../logging';
import { extractTraceContext, inSpan, tracer } from '../telemetry';
import { DeliveryControl, MessageBroker, ReceivedMessage, Subscription } from './message-broker';
import { RetryBackoff } from './retry-backoff';
import { EVENT_HEADERS } from './outbox';

/**
 * True when the message's type header names an event this consumer does not accept: it is skipped
 * before its payload is parsed. Topics are per domain, so a consumer of one rare event type (card
 * clicks) reads every message sent; without this it paid a JSON parse and a span for each.
 */
function ignoredByHeader(message: ReceivedMessage, events: readonly EventDefinition[]): boolean {
  const type = message.headers[EVENT_HEADERS.type];
  return type !== undefined && !events.some((e) => e.type === type);
}

/** Handles one event, typed by the definitions the consumer accepts (`isEvent` narrows a union). */
export type EventHandler<D extends EventDefinition = EventDefinition> = (tx: Tx, event: EventOf<D>, definition: D) => Promise<void>;

export interface DecodedEvent {
  envelope: EventEnvelope;
  definition: EventDefinition;
  topic: string;
}

/** Handles several events in one transaction; events already seen by the group are left out. */
export type BatchEventHandler = (tx: Tx, events: DecodedEvent[]) => Promise<void>;

export interface BatchConsumeOptions extends Omit<ConsumeOptions, 'handle'> {
  handleBatch: BatchEventHandler;
  /** Events per transaction at most (default 500). */
  maxBatchSize?: number;
}

export interface ConsumeOptions<D extends EventDefinition = EventDefinition> {
  /** `<service>.<purpose>`; offsets and dedupe are per group. */
  groupId: string;
  /** The catalogue entries this consumer accepts; their topics are subscribed. */
  events: readonly D[];
  handle: EventHandler<D>;
  /**
   * Attempts before an event whose handler keeps failing deterministically goes to `<topic>.dlq`.
   * A transient failure (an unreachable database or broker) does not count: it is retried until
   * it succeeds, holding the partition.
   */
  maxAttempts?: number;
  /** See SubscribeOptions.fetchInBulk: for busy topics whose events may wait up to a second. */
  fetchInBulk?: boolean;
  /** First wait between attempts (default 100 ms), doubling up to `retryMaxDelayMs`, with jitter. */
  retryBaseDelayMs?: number;
  /** Longest wait between attempts (default 5 s): bounds the stall after a dependency is back. */
  retryMaxDelayMs?: number;
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
 * a no-op), offsets committed only after that transaction. A failure is classified: a transient
 * one (database or broker unreachable) is retried with capped, jittered back-off until it
 * succeeds, the partition held (an outage must not turn into lost events); a poison event (it
 * cannot be decoded, or its handler fails the same way every time) goes, after bounded retries,
 * to the dead-letter topic with its error, from where it can be replayed (`replayDeadLetters`).
 */
export class EventConsumer {
  constructor(
    private readonly service: string,
    private readonly dataSource: DataSource,
    private readonly broker: MessageBroker,
    private readonly logger: AppLogger,
  ) {}

  async consume<D extends EventDefinition>(options: ConsumeOptions<D>): Promise<Subscription> {
    const topics = [...new Set(options.events.map((e) => e.topic))];
    await this.broker.ensureTopics([...topics, ...topics.map(deadLetterTopic)]);
    return this.broker.subscribe({
      groupId: options.groupId,
      topics,
      fetchInBulk: options.fetchInBulk,
      handle: (message, control) =>
        ignoredByHeader(message, options.events) ? Promise.resolve() : this.process(options, message, control),
    });
  }

  /**
   * The same guarantees for handlers that gain from writing many events at once (the audit
   * archive): a batch of one partition's consecutive events in one transaction with their inbox
   * rows, offsets committed after it. A batch that fails is retried event by event, so one
   * poison event still ends in the dead-letter topic alone and the others are handled.
   */
  async consumeBatch(options: BatchConsumeOptions): Promise<Subscription> {
    const topics = [...new Set(options.events.map((e) => e.topic))];
    await this.broker.ensureTopics([...topics, ...topics.map(deadLetterTopic)]);
    const single: ConsumeOptions = {
      ...options,
      handle: (tx, envelope, definition) => options.handleBatch(tx, [{ envelope, definition, topic: '' }]),
    };
    return this.broker.subscribe({
      groupId: options.groupId,
      topics,
      handle: (message, control) => this.process(single, message, control),
      handleBatch: (messages, control) => this.processBatch(options, single, messages, control),
      fetchInBulk: options.fetchInBulk,
      maxBatchSize: options.maxBatchSize ?? 500,
    });
  }

  private async processBatch(
    options: BatchConsumeOptions,
    single: ConsumeOptions,
    messages: ReceivedMessage[],
    control: DeliveryControl,
  ): Promise<void> {
    const decoded: { message: ReceivedMessage; event: DecodedEvent }[] = [];
    for (const message of messages) {
      if (ignoredByHeader(message, options.events)) continue;
      try {
        const { envelope, definition } = decodeEvent(message.value, options.events);
        decoded.push({ message, event: { envelope, definition, topic: message.topic } });
      } catch (error) {
        if (!(error instanceof EventValidationError)) throw error;
        if (error.kind !== 'unknown') await this.deadLetter(options.groupId, message, error, 'invalid', 1, control);
      }
    }
    if (decoded.length === 0) return;
    // One span per event, child of its producer's trace, covering the batch that carried it.
    const spans = decoded.map(({ message, event }) =>
      tracer(this.service).startSpan(
        `consume ${message.topic}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'atrium.service': this.service,
            'messaging.system': 'kafka',
            'messaging.destination.name': message.topic,
            'messaging.consumer.group.name': options.groupId,
            'messaging.batch.message_count': decoded.length,
            'atrium.event.type': event.envelope.type,
            'atrium.event.id': event.envelope.id,
          },
        },
        extractTraceContext(message.headers),
      ),
    );
    const backoff = new RetryBackoff(options, control);
    for (;;) {
      try {
        await this.handleBatchOnce(options, decoded);
        spans.forEach((span) => span.end());
        return;
      } catch (error) {
        if (isTransientFailure(error)) {
          // The whole batch waits for the dependency: nothing in it is at fault.
          this.logger.warn(
            { err: error, group: options.groupId, events: decoded.length, attempt: backoff.attempt },
            'event batch failed on an unavailable dependency; retrying',
          );
          try {
            await backoff.wait();
          } catch (abandoned) {
            spans.forEach((span) => span.end());
            throw abandoned;
          }
          continue;
        }
        spans.forEach((span) => {
          span.recordException(error as Error);
          span.end();
        });
        this.logger.warn(
          { err: error, group: options.groupId, events: decoded.length },
          'event batch failed; handling its events one by one',
        );
        // The batch counted as each event's first attempt.
        for (const { message } of decoded) await this.process(single, message, control, 2);
        return;
      }
    }
  }

  private async handleBatchOnce(options: BatchConsumeOptions, decoded: { message: ReceivedMessage; event: DecodedEvent }[]): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const ids = decoded.map((d) => d.event.envelope.id);
      const inserted = await tx.query<{ event_id: string }[]>(
        `INSERT INTO platform_inbox (consumer_group, event_id, topic)
           SELECT $1, u.id, u.topic FROM unnest($2::uuid[], $3::text[]) AS u(id, topic)
           ON CONFLICT DO NOTHING RETURNING event_id`,
        [options.groupId, ids, decoded.map((d) => d.message.topic)],
      );
      const fresh = new Set(inserted.map((r) => r.event_id));
      const events = decoded.map((d) => d.event).filter((e) => fresh.delete(e.envelope.id));
      if (events.length > 0) await options.handleBatch(tx, events);
    });
  }

  private async process<D extends EventDefinition>(
    options: ConsumeOptions<D>,
    message: ReceivedMessage,
    control: DeliveryControl,
    firstAttempt = 1,
  ): Promise<void> {
    const parent = extractTraceContext(message.headers);
    await inSpan(
      this.service,
      `consume ${message.topic}`,
      SpanKind.CONSUMER,
      async (span) => {
        span.setAttribute('messaging.destination.name', message.topic);
        span.setAttribute('messaging.consumer.group.name', options.groupId);
        let decoded: { definition: D; envelope: EventOf<D> };
        try {
          decoded = decodeEvent(message.value, options.events);
        } catch (error) {
          if (!(error instanceof EventValidationError)) throw error;
          // Other consumers of a shared topic may accept event types this one ignores.
          if (error.kind === 'unknown') return;
          await this.deadLetter(options.groupId, message, error, 'invalid', 1, control);
          return;
        }
        span.setAttribute('atrium.event.type', decoded.envelope.type);
        span.setAttribute('atrium.event.id', decoded.envelope.id);
        const maxAttempts = options.maxAttempts ?? 5;
        const backoff = new RetryBackoff(options, control);
        // Deterministic failures count towards the dead letter; transient ones never do.
        let failures = firstAttempt - 1;
        for (;;) {
          try {
            await this.handleOnce(options, decoded.envelope, decoded.definition, message.topic);
            return;
          } catch (error) {
            const transient = isTransientFailure(error);
            if (!transient && ++failures >= maxAttempts) {
              await this.deadLetter(options.groupId, message, error as Error, 'handler_failed', failures, control);
              return;
            }
            this.logger.warn(
              { err: error, attempt: backoff.attempt, transient, eventId: decoded.envelope.id, group: options.groupId },
              transient ? 'event handler failed on an unavailable dependency; retrying' : 'event handler failed; retrying',
            );
            await backoff.wait();
          }
        }
      },
      parent,
      { 'messaging.system': 'kafka' },
    );
  }

  private async handleOnce<D extends EventDefinition>(
    options: ConsumeOptions<D>,
    envelope: EventOf<D>,
    definition: D,
    topic: string,
  ): Promise<void> {
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
    groupId: string,
    message: ReceivedMessage,
    error: Error,
    reason: string,
    attempts: number,
    control: DeliveryControl,
  ): Promise<void> {
    this.logger.error({ err: error, group: groupId, topic: message.topic, offset: message.offset, reason }, 'event dead-lettered');
    const backoff = new RetryBackoff({}, control);
    // The offset moves past the event only once its dead letter is durably on the broker.
    for (;;) {
      try {
        await this.publishDeadLetter(groupId, message, error, reason, attempts);
        return;
      } catch (publishError) {
        if (!isTransientFailure(publishError)) throw publishError;
        this.logger.warn({ err: publishError, group: groupId }, 'publishing a dead letter failed; retrying');
        await backoff.wait();
      }
    }
  }

  private async publishDeadLetter(
    groupId: string,
    message: ReceivedMessage,
    error: Error,
    reason: string,
    attempts: number,
  ): Promise<void> {
    await this.broker.publish([
      {
        topic: deadLetterTopic(message.topic),
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.error]: error.message.slice(0, 4_000),
          [DLQ_HEADERS.reason]: reason,
          [DLQ_HEADERS.group]: groupId,
          [DLQ_HEADERS.source]: `${message.topic}/${message.partition}/${message.offset}`,
          [DLQ_HEADERS.attempts]: String(attempts),
        },
      },
    ]);
  }
}
