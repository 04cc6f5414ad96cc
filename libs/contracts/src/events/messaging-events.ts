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
  // What apps send (WeCom message/send): a text card, 1-8 link articles, markdown.
  'textcard',
  'news',
  'markdown',
  // Written by the server only: notices (a screenshot was taken) and merged forwards.
  'system',
  'chat_record',
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
  /** A forwarded message: where it first came from. */
  forwardedFrom: z
    .object({ conversationId: z.string(), seq: z.number().int().positive(), sender: z.string(), sentAt: z.string(), messageId: z.string() })
    .optional(),
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

/**
 * A burn-after-reading message's content was purged from messaging for everyone (its TTL passed).
 * The archive keeps what `messaging.message.sent` carried, under the corp's archive policy.
 */
export const MessageBurnt = defineEvent({
  type: 'messaging.message.burnt',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({
    corpId: z.string(),
    conversationId: z.string(),
    messageId: z.string(),
    seq: z.number().int().positive(),
    sender: z.string(),
    burntAt: z.iso.datetime({ offset: true }),
  }),
});

export const CARD_TYPES = ['schedule_card', 'todo_card', 'template_card'] as const;

/**
 * A card's mutable state changed (an attendee answered, a todo was marked, an app replaced a
 * template card's buttons). `data` says what changed; the message itself never changes. An app's
 * update names its send (`msgid`: one card per recipient) and the card whose click issued the code,
 * if any (`conversationId`/`seq`, else empty and 0).
 */
export const CardUpdated = defineEvent({
  type: 'messaging.card.updated',
  version: 1,
  topic: TOPICS.messaging,
  key: (p: { corpId: string; conversationId: string; msgid: string }) =>
    p.conversationId ? `${p.corpId}:${p.conversationId}` : `${p.corpId}:msgid:${p.msgid}`,
  schema: z.object({
    corpId: z.string(),
    conversationId: z.string(),
    seq: z.number().int().nonnegative(),
    msgid: z.string(),
    messageId: z.string(),
    cardType: z.enum(CARD_TYPES),
    change: z.enum(['schedule_response', 'todo_done', 'template_updated']),
    /** A member, or `app:<agentid>` for an app's update. */
    actor: z.string(),
    /** Whose view changed; empty with `all`. */
    userids: z.array(z.string()),
    all: z.boolean().default(false),
    data: z.record(z.string(), z.unknown()),
    version: z.number().int().positive(),
  }),
});

/**
 * A member clicked a template card's button. For a card an app sent, `agentid` names the app that
 * hears of it (WeCom `template_card_event`) and `responseCode` is the code this click issued: the
 * app may spend it once, within 72 hours, to update the card.
 */
export const CardClicked = defineEvent({
  type: 'messaging.card.clicked',
  version: 1,
  topic: TOPICS.messaging,
  key: conversationKey,
  schema: z.object({
    corpId: z.string(),
    conversationId: z.string(),
    seq: z.number().int().positive(),
    messageId: z.string(),
    userid: z.string(),
    key: z.string(),
    agentid: z.number().int().positive().nullable(),
    responseCode: z.string(),
    taskId: z.string(),
    clickedAt: z.iso.datetime({ offset: true }),
  }),
});

/** An app's events share a key: its messages (and their recalls) reach consumers in send order. */
const appKey = (p: { corpId: string; sender: string }) => `${p.corpId}:${p.sender}`;

/**
 * An app sent one message to many members (WeCom message/send): one message per recipient, each in
 * their own `app` conversation, all under one msgid. A large send is split into parts of at most
 * APP_EVENT_DELIVERIES deliveries, so no event outgrows the broker's message size.
 */
export const AppMessageSent = defineEvent({
  type: 'messaging.app_message.sent',
  version: 1,
  topic: TOPICS.messaging,
  key: appKey,
  schema: z.object({
    corpId: z.string(),
    msgid: z.string(),
    /** `app:<agentid>` */
    sender: z.string(),
    type: z.enum(MESSAGE_TYPES),
    content: z.record(z.string(), z.unknown()),
    sentAt: z.iso.datetime({ offset: true }),
    part: z.number().int().positive(),
    parts: z.number().int().positive(),
    deliveries: z.array(
      z.object({ userid: z.string(), conversationId: z.string(), messageId: z.string(), seq: z.number().int().positive() }),
    ),
  }),
});

/** The app recalled a msgid: every message of it (split into parts like the send). */
export const AppMessageRecalled = defineEvent({
  type: 'messaging.app_message.recalled',
  version: 1,
  topic: TOPICS.messaging,
  key: appKey,
  schema: z.object({
    corpId: z.string(),
    msgid: z.string(),
    sender: z.string(),
    part: z.number().int().positive(),
    parts: z.number().int().positive(),
    recalls: z.array(z.object({ conversationId: z.string(), messageId: z.string(), seq: z.number().int().positive() })),
  }),
});

export const APP_EVENT_DELIVERIES = 500;

/**
 * Bytes were stored and registered as media (before any message refers to it). Metadata and the
 * content hash only, never the bytes: the archive can later prove what a file was.
 */
export const MediaUploaded = defineEvent({
  type: 'messaging.media.uploaded',
  version: 1,
  topic: TOPICS.messaging,
  key: (p: { corpId: string; mediaId: string }) => `${p.corpId}:media:${p.mediaId}`,
  schema: z.object({
    corpId: z.string(),
    mediaId: z.string(),
    type: z.enum(['image', 'voice', 'video', 'file']),
    contentType: z.string(),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    name: z.string(),
    /** A userid, or `app:<agentid>`. */
    actor: z.string(),
    storageKey: z.string(),
    uploadedAt: z.iso.datetime({ offset: true }),
  }),
});

export const MESSAGING_EVENTS = [
  ConversationCreated,
  ConversationMembersChanged,
  ConversationUpdated,
  MessageSent,
  MessageRecalled,
  ConversationRead,
  CorpPolicyChanged,
  MediaUploaded,
  MessageBurnt,
  CardUpdated,
  CardClicked,
  AppMessageSent,
  AppMessageRecalled,
] as const;
