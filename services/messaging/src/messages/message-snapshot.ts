import { Message } from './message';
import { contentGone, wireFeatures } from './message-features';

/** The message as the archive's `messaging.message.sent` event carries it. */
export const messageSnapshot = (m: Message) => ({
  id: m.id,
  conversationId: m.conversationId,
  seq: m.seq,
  sender: m.sender,
  clientMsgId: m.clientMsgId,
  type: m.type,
  content: m.content,
  sentAt: m.sentAt.toISOString(),
  burnAfterReading: m.burnAfterReading ?? false,
  forwardedFrom: m.forwardedFrom ?? undefined,
});

/** The message as clients receive it (over gRPC and realtime alike). */
export function toWire(m: Message) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    sender: m.sender,
    clientMsgId: m.clientMsgId,
    type: m.type,
    contentJson: m.recalledAt || contentGone(m) ? '' : JSON.stringify(m.content),
    sentAt: m.sentAt.toISOString(),
    recalled: m.recalledAt !== null,
    recalledBy: m.recalledBy ?? '',
    cardStateJson: m.cardState && !m.recalledAt ? JSON.stringify(m.cardState) : '',
    ...wireFeatures(m),
  };
}
