import { Message } from './message';
import { contentGone, wireFeatures } from './message-features';

/** What names a message wherever it travels. */
const identity = (m: Message) => ({
  id: m.id,
  conversationId: m.conversationId,
  seq: m.seq,
  sender: m.sender,
  clientMsgId: m.clientMsgId,
  type: m.type,
});

/** The message as the archive's `messaging.message.sent` event carries it. */
export const messageSnapshot = (m: Message) => ({
  ...identity(m),
  content: m.content,
  sentAt: m.sentAt.toISOString(),
  burnAfterReading: m.burnAfterReading ?? false,
  forwardedFrom: m.forwardedFrom ?? undefined,
});

/** The message as clients receive it (over gRPC and realtime alike). */
export function toWire(m: Message) {
  return {
    ...identity(m),
    contentJson: m.recalledAt || contentGone(m) ? '' : JSON.stringify(m.content),
    sentAt: m.sentAt.toISOString(),
    recalled: m.recalledAt !== null,
    recalledBy: m.recalledBy ?? '',
    cardStateJson: m.cardState && !m.recalledAt ? JSON.stringify(m.cardState) : '',
    ...wireFeatures(m),
  };
}
