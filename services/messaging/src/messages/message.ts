import { MESSAGE_TYPES } from '@atrium/contracts';

export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface Message {
  corpId: string;
  conversationId: string;
  seq: number;
  id: string;
  sender: string;
  clientMsgId: string;
  type: MessageType;
  content: Record<string, unknown>;
  sentAt: Date;
  recalledAt: Date | null;
  recalledBy: string | null;
  /** A view field, not stored: a card's current state as the viewer sees it (services/messaging/src/cards). */
  cardState?: Record<string, unknown>;
  // Features (burn after reading, forwarding, retention); absent means off.
  burnAfterReading?: boolean;
  /** Purged for everyone after the corp's burn TTL. */
  burntAt?: Date | null;
  /** A view flag, not stored: gone for this viewer (the recipient read it). */
  burntForViewer?: boolean;
  /** A view field, not stored: the corp's archive notice, shown with burn-after-reading messages. */
  archiveNotice?: string;
  /** Past the corp's retention: a tombstone without content. */
  expiredAt?: Date | null;
  forwardedFrom?: ForwardedFrom | null;
  /** What the client's send asked for (see requestHash); absent for messages no client sent. */
  requestHash?: string | null;
  /** An app's send (WeCom's msgid): names every recipient's copy, which a recall finds by it. */
  msgid?: string | null;
}

/** Where a forwarded message first came from (forwarding a forward keeps the first origin). */
export interface ForwardedFrom {
  conversationId: string;
  seq: number;
  sender: string;
  sentAt: string;
  messageId: string;
}
