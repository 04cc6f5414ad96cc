import {
  AppMessageRecalled,
  AppMessageSent,
  ConversationCreated,
  ConversationMembersChanged,
  EventDefinition,
  EventEnvelope,
  isEvent,
  MemberAuthenticated,
  MessageBurnt,
  MessageRecalled,
  MessageSent,
  SessionRevoked,
  TOPICS,
} from '@atrium/contracts';
import { RecordDraft, RecordKind } from '../archive/archive-record';

/** Read cursors move on every glance at a chat: not worth a record each. */
const NOT_ARCHIVED = new Set(['messaging.conversation.read']);
const LOGINS = new Set([MemberAuthenticated.type, SessionRevoked.type]);

function stringsOf(value: unknown, into: string[]): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsOf(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsOf(v, into));
  return into;
}

/** The text of a message that keyword search looks at: every string of its content. */
export function searchableText(content: unknown): string {
  return stringsOf(content, []).join('\n');
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function kindOf(envelope: EventEnvelope, definition: EventDefinition): RecordKind {
  if (envelope.type === MessageSent.type || envelope.type === MessageRecalled.type || envelope.type === MessageBurnt.type) return 'message';
  if (envelope.type === AppMessageSent.type || envelope.type === AppMessageRecalled.type) return 'message';
  if (LOGINS.has(envelope.type)) return 'login';
  if (envelope.type.endsWith('.resources.transferred')) return 'admin_action';
  if (definition.topic === TOPICS.messaging) return 'conversation';
  if (definition.topic === TOPICS.directory) return 'admin_action';
  return 'event';
}

/**
 * What an event becomes in the archive, or null for an event that is not archived. The whole
 * envelope is kept (encrypted); a few fields stay in clear for filtering: conversation, actor,
 * message type and time.
 */
export function recordFromEvent(envelope: EventEnvelope, definition: EventDefinition): RecordDraft | null {
  if (NOT_ARCHIVED.has(envelope.type)) return null;
  const payload = (envelope.payload ?? {}) as Record<string, unknown>;
  const draft: RecordDraft = {
    corpId: envelope.corpId,
    eventId: envelope.id,
    kind: kindOf(envelope, definition),
    eventType: envelope.type,
    occurredAt: new Date(envelope.occurredAt),
    conversationId: text(payload.conversationId),
    actor: text(payload.actor) || text(payload.userId) || text(payload.userid),
    messageType: '',
    document: JSON.stringify(envelope),
  };
  // Payloads arrive validated against the catalogue (the consumer and the CLI decode them).
  if (isEvent(envelope, MessageSent)) {
    const { message } = envelope.payload;
    draft.actor = message.sender;
    draft.messageType = message.type;
    draft.occurredAt = new Date(message.sentAt);
    draft.searchText = searchableText(message.content);
  } else if (isEvent(envelope, MessageBurnt)) {
    // The burnt version of a message: the sender's, like the message itself.
    draft.actor = envelope.payload.sender;
  } else if (isEvent(envelope, AppMessageSent)) {
    // One record for a part of an app's send: the content once, searchable; the conversation
    // only when the part has a single recipient.
    const sent = envelope.payload;
    draft.actor = sent.sender;
    draft.messageType = sent.type;
    draft.occurredAt = new Date(sent.sentAt);
    draft.searchText = searchableText(sent.content);
    if (sent.deliveries.length === 1) draft.conversationId = sent.deliveries[0].conversationId;
  } else if (isEvent(envelope, AppMessageRecalled)) {
    draft.actor = envelope.payload.sender;
  } else if (isEvent(envelope, ConversationCreated)) {
    const created = envelope.payload;
    draft.members = [...new Set([...created.members, created.owner])];
  } else if (isEvent(envelope, ConversationMembersChanged)) {
    draft.members = envelope.payload.added;
  }
  return draft;
}
