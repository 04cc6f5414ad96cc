import { randomUUID } from 'node:crypto';
import { EventDefinition, EventEnvelope } from '@atrium/contracts';
import { SqlStatement, Tx } from '../database';
import { injectTraceContext } from '../telemetry';

export const EVENT_HEADERS = {
  id: 'x-atrium-event-id',
  type: 'x-atrium-event-type',
  version: 'x-atrium-event-version',
  corp: 'x-atrium-corp-id',
} as const;

/**
 * Writes an event into the outbox in the caller's transaction: it is published if and only if the
 * change it describes commits. The payload is validated here too, so a producer cannot emit what
 * its consumers would dead-letter.
 */
export async function appendToOutbox<T>(tx: Tx, definition: EventDefinition<T>, corpId: string, payload: T): Promise<EventEnvelope<T>> {
  const { envelope, statement } = outboxStatement(definition, corpId, payload);
  await tx.query(statement.text, statement.values);
  return envelope;
}

/** The outbox row of an event as a statement, for a caller that combines it with its own writes (`runCombined`). */
export function outboxStatement<T>(
  definition: EventDefinition<T>,
  corpId: string,
  payload: T,
): { envelope: EventEnvelope<T>; statement: SqlStatement } {
  const checked = definition.schema.parse(payload);
  const envelope: EventEnvelope<T> = {
    id: randomUUID(),
    type: definition.type,
    version: definition.version,
    corpId,
    occurredAt: new Date().toISOString(),
    payload: checked,
  };
  const headers = injectTraceContext({
    [EVENT_HEADERS.id]: envelope.id,
    [EVENT_HEADERS.type]: envelope.type,
    [EVENT_HEADERS.version]: String(envelope.version),
    [EVENT_HEADERS.corp]: corpId,
  });
  return {
    envelope,
    statement: {
      text: `INSERT INTO platform_outbox (event_id, topic, event_key, event_type, envelope, headers) VALUES ($1, $2, $3, $4, $5, $6)`,
      values: [envelope.id, definition.topic, definition.key(checked), definition.type, JSON.stringify(envelope), JSON.stringify(headers)],
    },
  };
}

/**
 * Several events' outbox rows (from `outboxStatement`) as one multi-row insert whose text does not
 * depend on how many there are; the rows keep their order, so the relay publishes them in it.
 */
export function outboxRowsStatement(rows: SqlStatement[]): SqlStatement {
  const columns: unknown[][] = [[], [], [], [], [], []];
  for (const row of rows) row.values.forEach((value, i) => columns[i].push(value));
  return {
    text: `INSERT INTO platform_outbox (event_id, topic, event_key, event_type, envelope, headers)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])`,
    values: columns,
  };
}
