import { DomainError } from '@atrium/platform';
import { assertBurnAllowed } from '../burn/burn-rules';
import { Conversation, ConversationMember } from '../conversations/conversation';
import { MessageType } from './message';

/** What a member asks to post, as far as the rules care. */
export interface PostAttempt {
  burnAfterReading: boolean;
  /** An @all: only a text message can carry one. */
  mentionsEveryone: boolean;
}

/** The rules' view of a message a member composed. */
export const postAttemptOf = (send: { type: MessageType; content: Record<string, unknown>; burnAfterReading: boolean }): PostAttempt => ({
  burnAfterReading: send.burnAfterReading,
  mentionsEveryone: send.type === 'text' && send.content.mentionAll === true,
});

/**
 * Whether the conversation takes members' messages at all. Checked before a resend is recognised:
 * a dissolved group or an app conversation answers the same to a resend as to a first send.
 */
export function assertOpenToMembers(conversation: Pick<Conversation, 'id' | 'kind' | 'dissolved'>): void {
  if (conversation.dissolved)
    throw new DomainError('PRECONDITION_FAILED', 'the group has been dissolved', {
      reason: 'DISSOLVED',
      conversationId: conversation.id,
    });
  // Only the app posts in its conversation with a member (a member's reply would be the app's
  // callback, which Atrium does not deliver yet).
  if (conversation.kind === 'app')
    throw new DomainError('FORBIDDEN', 'an app conversation is read-only: only the app posts in it', {
      conversationId: conversation.id,
      reason: 'APP_CONVERSATION',
    });
}

/**
 * Whether this member may post this message now. A resend of a stored message is not asked again:
 * it was allowed when it was first sent, and a mute since then does not undo it.
 */
export function assertMayPost(
  conversation: Pick<Conversation, 'id' | 'kind' | 'adminOnly'>,
  member: Pick<ConversationMember, 'role' | 'mutedUntil'>,
  attempt: PostAttempt,
  now: Date,
): void {
  if (attempt.burnAfterReading) assertBurnAllowed(conversation);
  const privileged = member.role === 'owner' || member.role === 'admin';
  if (conversation.adminOnly && !privileged)
    throw new DomainError('FORBIDDEN', 'only the owner and group admins may post here', { conversationId: conversation.id });
  if (member.mutedUntil && member.mutedUntil.getTime() > now.getTime())
    throw new DomainError('FORBIDDEN', `you are muted in this group until ${member.mutedUntil.toISOString()}`, {
      mutedUntil: member.mutedUntil.toISOString(),
    });
  if (attempt.mentionsEveryone && !privileged) throw new DomainError('FORBIDDEN', 'only the owner and group admins may mention everyone');
}
