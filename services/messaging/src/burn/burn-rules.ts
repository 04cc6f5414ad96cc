import { DomainError } from '@atrium/platform';
import { Conversation } from '../conversations/conversation';
import { Message } from '../messages/message';

/**
 * Burn after reading exists in direct conversations only (as in WeCom): in a group "read" has no
 * single reader, and a message that vanishes for some members but not others helps nobody.
 */
export function assertBurnAllowed(conversation: Pick<Conversation, 'kind' | 'id'>): void {
  if (conversation.kind === 'direct') return;
  throw new DomainError('PRECONDITION_FAILED', 'burn after reading is only allowed in direct (1:1) conversations', {
    reason: 'BURN_AFTER_READING_DIRECT_ONLY',
    conversationId: conversation.id,
  });
}

/** The recipient's copy is gone once their read cursor has passed it; the sender keeps theirs until the TTL. */
export function burntFor(m: Message, viewer: { userid: string; readSeq: number } | null): boolean {
  return Boolean(m.burnAfterReading) && viewer !== null && viewer.userid !== m.sender && viewer.readSeq >= m.seq;
}
