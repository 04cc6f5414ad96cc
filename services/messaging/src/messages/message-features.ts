import { messagingV1 } from '@atrium/contracts';
import { Message } from './message';

/** Burnt (for everyone or for this viewer) or expired: the message keeps its seq but has no content. */
export function contentGone(m: Message): boolean {
  return Boolean(m.burntAt || m.burntForViewer || m.expiredAt);
}

/** The feature fields of the wire message (burn after reading, forwarding, retention). */
export function wireFeatures(
  m: Message,
): Pick<messagingV1.Message, 'burnAfterReading' | 'burnt' | 'forwardedFrom' | 'expired' | 'archiveNotice'> {
  return {
    burnAfterReading: m.burnAfterReading ?? false,
    burnt: Boolean(m.burntAt || m.burntForViewer),
    forwardedFrom: m.forwardedFrom ?? undefined,
    expired: Boolean(m.expiredAt),
    archiveNotice: m.burnAfterReading ? (m.archiveNotice ?? '') : '',
  };
}
