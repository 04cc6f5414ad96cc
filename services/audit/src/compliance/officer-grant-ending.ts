import { EventEnvelope, EventPayload, MemberDeleted, MemberOffboarded } from '@atrium/contracts';

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
  switch (envelope.type) {
    case MemberOffboarded.type: {
      const { userid, actor } = envelope.payload as EventPayload<typeof MemberOffboarded>;
      return { userid, actor, reason: 'offboarded' };
    }
    case MemberDeleted.type: {
      const { userid, actor } = envelope.payload as EventPayload<typeof MemberDeleted>;
      return { userid, actor, reason: 'deleted' };
    }
    default:
      return null;
  }
}
