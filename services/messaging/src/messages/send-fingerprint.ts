import { createHash } from 'node:crypto';
import { DomainError } from '@atrium/platform';
import { Message, MessageType } from './message';

/** JSON with object keys sorted, so equal content always gives equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * What a send asks for, as it was validated (defaults filled in): its type, content and
 * burn-after-reading flag. The stored content cannot stand in for it: the media registry rewrites
 * a file's name and size, and a recall or a burn empties it.
 */
export function sendFingerprint(send: { type: MessageType; content: Record<string, unknown>; burnAfterReading: boolean }): string {
  return createHash('sha256')
    .update(canonical({ type: send.type, content: send.content, burnAfterReading: send.burnAfterReading }))
    .digest('hex');
}

/**
 * A resend must ask for the message its client message id already names: the same request is
 * answered with the original (idempotent), a different one is refused, as payment APIs refuse a
 * reused idempotency key, rather than silently answered with a message the client did not send.
 */
export function assertSameSend(original: Pick<Message, 'seq' | 'clientMsgId' | 'requestHash'>, fingerprint: string): void {
  // Messages stored before fingerprints were kept have none: any resend matches them.
  if (original.requestHash && original.requestHash !== fingerprint) throw clientMsgIdReused(original.clientMsgId, original.seq);
}

export function clientMsgIdReused(clientMsgId: string, seq?: number): DomainError {
  return new DomainError('CONFLICT', `client_msg_id ${clientMsgId} was already used for a different message`, {
    field: 'client_msg_id',
    reason: 'CLIENT_MSG_ID_REUSED',
    ...(seq === undefined ? {} : { seq }),
  });
}
