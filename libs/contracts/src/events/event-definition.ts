import { z } from 'zod';

/** One entry of the event catalogue: where the event goes, how it is keyed, what it carries. */
export interface EventDefinition<T = unknown> {
  /** Stable name, `<domain>.<entity>.<past-tense>`. */
  readonly type: string;
  readonly version: number;
  readonly topic: string;
  /** Partition key: events that must stay ordered share a key (a conversation, a member). */
  key(payload: T): string;
  readonly schema: z.ZodType<T>;
}

export function defineEvent<S extends z.ZodType>(definition: {
  type: string;
  version: number;
  topic: string;
  key: (payload: z.infer<S>) => string;
  schema: S;
}): EventDefinition<z.infer<S>> {
  return definition as EventDefinition<z.infer<S>>;
}

export type EventPayload<D> = D extends EventDefinition<infer T> ? T : never;

/** What travels on the wire for every event, whatever the topic. */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  version: number;
  corpId: string;
  occurredAt: string;
  payload: T;
}

/**
 * The envelope of an event of definition D, its payload typed by D's schema. Over a union of
 * definitions it is the union of their envelopes; narrow one with `isEvent`.
 */
export type EventOf<D> = D extends EventDefinition<infer T> ? EventEnvelope<T> : never;

/**
 * Whether a consumed event is of one of `definitions` (same type and version). A consumer's
 * events come from decodeEvent, which validated each payload against the definition of its type
 * and version, so the narrowing holds. Test each case on its own (independent `if`s, several
 * definitions in one call): events of the same payload shape are one type to the compiler, so an
 * `else` after one of them would narrow its twins away too.
 */
export function isEvent<D extends EventDefinition>(event: EventEnvelope, ...definitions: D[]): event is EventOf<D> {
  return definitions.some((d) => event.type === d.type && event.version === d.version);
}

export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  corpId: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  payload: z.unknown(),
});

export class EventValidationError extends Error {
  /** `unknown`: a well-formed event of a type this consumer does not accept (not an error for it). */
  constructor(
    message: string,
    readonly kind: 'malformed' | 'unknown' = 'malformed',
  ) {
    super(message);
    this.name = 'EventValidationError';
  }
}

/**
 * Decodes and validates a consumed event against the catalogue entries a consumer accepts.
 * Anything that does not match (bad JSON, unknown type or version, payload off-schema) is an
 * EventValidationError: the consumer dead-letters it rather than retrying it.
 */
export function decodeEvent<D extends EventDefinition>(raw: string, accepted: readonly D[]): { definition: D; envelope: EventOf<D> } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new EventValidationError('event is not valid JSON');
  }
  const envelope = eventEnvelopeSchema.safeParse(json);
  if (!envelope.success) throw new EventValidationError(`bad envelope: ${z.prettifyError(envelope.error)}`);
  const definition = accepted.find((d) => d.type === envelope.data.type && d.version === envelope.data.version);
  if (!definition) throw new EventValidationError(`unknown event ${envelope.data.type} v${envelope.data.version}`, 'unknown');
  const payload = definition.schema.safeParse(envelope.data.payload);
  if (!payload.success) throw new EventValidationError(`bad payload for ${definition.type}: ${z.prettifyError(payload.error)}`);
  // The payload is what the definition's schema returned: the envelope is the definition's event.
  return { definition, envelope: { ...envelope.data, payload: payload.data } as EventOf<D> };
}
