import { EventEnvelope, isEvent, MemberDeleted, MemberOffboarded } from '@atrium/contracts';

export interface OfficerGrantEnding {
  userid: string;
  actor: string;
  reason: 'offboarded' | 'deleted';
}

/**
 * A compliance officer's grant ends with their membership: an offboarded or deleted member keeps
 * no right to the archive, and a userid given to someone new later carries no old grant with it.
 */
export function officerGrantEndedBy(envelope: EventEnvelope): OfficerGrantEnding | null {
  if (isEvent(envelope, MemberOffboarded)) return { userid: envelope.payload.userid, actor: envelope.payload.actor, reason: 'offboarded' };
  if (isEvent(envelope, MemberDeleted)) return { userid: envelope.payload.userid, actor: envelope.payload.actor, reason: 'deleted' };
  return null;
}
