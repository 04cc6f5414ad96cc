import { randomUUID } from 'node:crypto';
import { RecordDraft, RecordKind } from '../archive/archive-record';

/** A record of the archive's own: an officer's search, a grant, a policy or key change. */
export function ownRecord(
  corpId: string,
  actor: string,
  kind: RecordKind,
  eventType: string,
  details: Record<string, unknown>,
): RecordDraft {
  const eventId = randomUUID();
  const occurredAt = new Date();
  return {
    corpId,
    eventId,
    kind,
    eventType,
    occurredAt,
    conversationId: '',
    actor,
    messageType: '',
    document: JSON.stringify({ id: eventId, type: eventType, corpId, occurredAt: occurredAt.toISOString(), actor, details }),
  };
}
