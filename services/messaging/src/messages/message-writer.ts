import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MessageSent } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { MediaService } from '../media/media.service';
import { ForwardedFrom, Message, MessageType } from './message';
import { MessagesRepository } from './messages.repository';
import { messageSnapshot } from './message-snapshot';

export interface MessageDraft {
  sender: string;
  clientMsgId: string;
  type: MessageType;
  content: Record<string, unknown>;
  forwardedFrom?: ForwardedFrom | null;
}

/**
 * Appends a server-composed message (a screenshot notice, a forward) exactly like a sent one: the
 * next seq under the conversation lock the caller holds, media references, the sender's cursor
 * past it, and `messaging.message.sent` in the same transaction.
 */
@Injectable()
export class MessageWriter {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly media: MediaService,
  ) {}

  async append(tx: Tx, corpId: string, conversationId: string, draft: MessageDraft): Promise<Message> {
    const seq = await this.conversations.nextSeq(tx, corpId, conversationId);
    // Media read access follows the messages that name them: the copy (or each item of a chat
    // record) becomes a reference in this conversation, checked against what the sender may read.
    const items = draft.type === 'chat_record' ? (draft.content.items as { type: string; content: Record<string, unknown> }[]) : [draft];
    for (const item of items)
      await this.media.attach(tx, corpId, draft.sender, { conversationId, seq, type: item.type, content: item.content });
    const message: Message = {
      corpId,
      conversationId,
      seq,
      id: randomUUID(),
      sender: draft.sender,
      clientMsgId: draft.clientMsgId,
      type: draft.type,
      content: draft.content,
      sentAt: new Date(),
      recalledAt: null,
      recalledBy: null,
      forwardedFrom: draft.forwardedFrom ?? null,
    };
    await this.messages.insert(tx, message);
    await this.conversations.advanceRead(tx, corpId, conversationId, draft.sender, seq);
    await this.bus.publish(tx, MessageSent, corpId, { corpId, conversationId, message: messageSnapshot(message) });
    return message;
  }
}
