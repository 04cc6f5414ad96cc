import { z } from 'zod';
import { defineEvent } from './event-definition';
import { TOPICS } from './topics';

/** A conversation's events share its key, so every consumer sees them in sequence order. */
const conversationKey = (p: { corpId: string; conversationId: string }) => `${p.corpId}:${p.conversationId}`;

export const MESSAGE_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'location',
  'link',
  'schedule_card',
  'todo_card',
  'template_card',
] as const;

const messageSnapshot = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int().positive(),
  sender: z.string(),
  clientMsgId: z.string(),
  type: z.enum(MESSAGE_TYPES),
  /** The type's own fields (text and mentions, media id and hash, card fields…). */
  content: z.record(z.string(), z.unknown()),
  sentAt: z.iso.datetime({ offset: true }),
  burnAfterReading: z.boolean().default(false),
});

export const ConversationCreated = defineEvent({
  type: 'messaging.conversation.created',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({
    corpId: z.string(),
    conversationId: z.string(),
    kind: z.enum(['direct', 'group']),
    name: z.string(),
    owner: z.string(),
    members: z.array(z.string()),
    actor: z.string(),
  }),
});

export const ConversationMembersChanged = defineEvent({
  type: 'messaging.conversation.members_changed',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({
    corpId: z.string(),
    conversationId: z.string(),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    actor: z.string(),
  }),
});

export const ConversationUpdated = defineEvent({
  type: 'messaging.conversation.updated',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({
    corpId: z.string(),
    conversationId: z.string(),
    /** Only the fields that changed: name, notice, owner, adminOnly, admins, dissolved… */
    changes: z.record(z.string(), z.unknown()),
    actor: z.string(),
  }),
});

export const MessageSent = defineEvent({
  type: 'messaging.message.sent',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({ corpId: z.string(), conversationId: z.string(), message: messageSnapshot }),
});

export const MessageRecalled = defineEvent({
  type: 'messaging.message.recalled',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({ corpId: z.string(), conversationId: z.string(), messageId: z.string(), seq: z.number().int(), actor: z.string() }),
});

/** A member's read cursor moved: everything up to `seq` in the conversation is read by them. */
export const ConversationRead = defineEvent({
  type: 'messaging.conversation.read',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({ corpId: z.string(), conversationId: z.string(), userid: z.string(), seq: z.number().int().nonnegative() }),
});

/** A super admin changed the corp's messaging policy (an admin action, archived). */
export const CorpPolicyChanged = defineEvent({
  type: 'messaging.policy.changed',
  version: 1,
  topic: TOPICS.messaging,
  key: (p) => `${p.corpId}:policy`,
  schema: z.object({ corpId: z.string(), policy: z.record(z.string(), z.unknown()), actor: z.string() }),
});

export const MESSAGING_EVENTS = [
  ConversationCreated,
  ConversationMembersChanged,
  ConversationUpdated,
  MessageSent,
  MessageRecalled,
  ConversationRead,
  CorpPolicyChanged,
] as const;
