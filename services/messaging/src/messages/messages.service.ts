import { Inject, Injectable } from '@nestjs/common';
import { ConversationRead, MessageRecalled } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  SUPER_ADMIN_ROLE,
  TRANSACTIONS,
  TransactionRunner,
  ValidationError,
} from '@atrium/platform';
import { CardsService } from '../cards/cards.service';
import { ConversationView } from '../conversations/conversation';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ConversationsService } from '../conversations/conversations.service';
import { CorpPoliciesService } from '../policies/corp-policies.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { Message } from './message';
import { BurnService } from '../burn/burn.service';
import { parseContent } from './message-content';
import { sendFingerprint } from './send-fingerprint';
import { MessagesRepository } from './messages.repository';
import { SendCommitter, SendOutcome, ValidSend } from './send-committer';

export interface SendInput {
  conversationId: string;
  clientMsgId: string;
  type: string;
  contentJson: string;
  /** Direct conversations only. */
  burnAfterReading?: boolean;
}

const CLIENT_MSG_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validateSend(caller: CallerIdentity, input: SendInput): ValidSend {
  if (!UUID.test(input.conversationId))
    throw new ValidationError('conversation_id must be a conversation id (a UUID)', { field: 'conversation_id' });
  if (!CLIENT_MSG_ID.test(input.clientMsgId))
    throw new ValidationError('client_msg_id must be 1-64 characters of letters, digits and _.:-', { field: 'client_msg_id' });
  const { type, content } = parseContent(input.type, input.contentJson);
  const burnAfterReading = input.burnAfterReading === true;
  return {
    caller,
    userid: caller.userId.toLowerCase(),
    conversationId: input.conversationId,
    clientMsgId: input.clientMsgId,
    type,
    content,
    burnAfterReading,
    fingerprint: sendFingerprint({ type, content, burnAfterReading }),
  };
}

@Injectable()
export class MessagesService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly policies: CorpPoliciesService,
    private readonly conversations: ConversationsService,
    private readonly conversationsRepository: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly realtime: RealtimePublisher,
    private readonly cards: CardsService,
    private readonly burn: BurnService,
    private readonly committer: SendCommitter,
  ) {}

  /**
   * Assigns the next sequence number under the conversation's row lock, so sequences are strictly
   * increasing with no gaps; a repeated client message id returns the original message when it asks
   * for the same one, and is refused with CONFLICT otherwise. Sends are committed in groups (see
   * SendCommitter).
   */
  async send(caller: CallerIdentity, input: SendInput): Promise<SendOutcome> {
    return this.committer.submit(validateSend(caller, input));
  }

  /** The sender within the corp's window; the group's owner and admins, and corp super admins, any time. */
  async recall(caller: CallerIdentity, conversationId: string, seq: number): Promise<Message> {
    const recalled = await this.transactions.run(async (tx) => {
      const { me } = await this.conversations.lockAsMember(tx, caller, conversationId);
      const message = await this.messages.findBySeq(tx, caller.corpId, conversationId, seq);
      if (!message) throw new NotFoundError(`message ${seq}`, { seq });
      if (message.recalledAt) return message;
      const isSender = message.sender === me.userid;
      const { recallWindowSeconds } = await this.policies.get(caller.corpId, tx);
      const withinWindow = Date.now() - message.sentAt.getTime() <= recallWindowSeconds * 1000;
      const admin = me.role === 'owner' || me.role === 'admin' || caller.roles.includes(SUPER_ADMIN_ROLE);
      if (!admin && !(isSender && withinWindow)) {
        throw new DomainError(
          'FORBIDDEN',
          isSender ? 'the recall window has passed' : 'only the sender or an admin may recall this message',
          { seq },
        );
      }
      await this.messages.recall(tx, caller.corpId, conversationId, seq, me.userid);
      await this.bus.publish(tx, MessageRecalled, caller.corpId, {
        corpId: caller.corpId,
        conversationId,
        messageId: message.id,
        seq,
        actor: me.userid,
      });
      return { ...message, content: {}, recalledAt: new Date(), recalledBy: me.userid };
    });
    await this.realtime.toConversation(caller.corpId, { kind: 'recall', conversationId, seq, recalledBy: recalled.recalledBy ?? '' });
    return recalled;
  }

  async sync(
    caller: CallerIdentity,
    conversationId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ messages: Message[]; hasMore: boolean; lastSeq: number }> {
    const size = limit <= 0 ? 100 : Math.min(limit, 500);
    if (afterSeq < 0) throw new ValidationError('after_seq must be ≥ 0', { field: 'after_seq' });
    const conversation = await this.conversations.view(caller, conversationId);
    const rows = await this.messages.after(
      this.transactions.manager,
      caller.corpId,
      conversationId,
      Math.max(afterSeq, conversation.me.joinedSeq),
      size + 1,
    );
    const presented = await this.burn.present(caller.corpId, conversation.me, rows.slice(0, size));
    const messages = await this.cards.withStates(caller.corpId, caller.userId, conversationId, presented);
    return { messages, hasMore: rows.length > size, lastSeq: conversation.lastSeq };
  }

  /** Every conversation of the caller: the known ones from their cursor, the others from the start. */
  async batchSync(
    caller: CallerIdentity,
    cursors: { conversationId: string; afterSeq: number }[],
    limit: number,
  ): Promise<{ conversation: ConversationView; messages: Message[]; hasMore: boolean }[]> {
    const size = limit <= 0 ? 50 : Math.min(limit, 200);
    const known = new Map(cursors.map((c) => [c.conversationId, c.afterSeq]));
    const out: { conversation: ConversationView; messages: Message[]; hasMore: boolean }[] = [];
    let offset = 0;
    for (;;) {
      const page = await this.conversationsRepository.listFor(
        this.transactions.manager,
        caller.corpId,
        caller.userId.toLowerCase(),
        offset,
        500,
      );
      for (const view of page) {
        const after = Math.max(known.get(view.id) ?? 0, view.me.joinedSeq);
        if (after >= view.lastSeq) {
          out.push({ conversation: view, messages: [], hasMore: false });
          continue;
        }
        const rows = await this.messages.after(this.transactions.manager, caller.corpId, view.id, after, size + 1);
        const presented = await this.burn.present(caller.corpId, view.me, rows.slice(0, size));
        const messages = await this.cards.withStates(caller.corpId, caller.userId, view.id, presented);
        out.push({ conversation: view, messages, hasMore: rows.length > size });
      }
      if (page.length < 500) return out;
      offset += page.length;
    }
  }

  /** Reading on one device moves the member's cursor; every device (and every sender) hears it. */
  async markRead(caller: CallerIdentity, conversationId: string, seq: number): Promise<number> {
    const conversation = await this.conversations.view(caller, conversationId);
    if (seq < 0 || seq > conversation.lastSeq) throw new ValidationError(`seq must be 0-${conversation.lastSeq}`, { field: 'seq' });
    if (seq <= conversation.me.readSeq) return conversation.me.readSeq;
    const readSeq = await this.transactions.run(async (tx) => {
      const cursor = await this.conversationsRepository.advanceRead(tx, caller.corpId, conversationId, conversation.me.userid, seq);
      await this.bus.publish(tx, ConversationRead, caller.corpId, {
        corpId: caller.corpId,
        conversationId,
        userid: conversation.me.userid,
        seq: cursor,
      });
      return cursor;
    });
    await this.realtime.toConversation(caller.corpId, { kind: 'read', conversationId, userid: conversation.me.userid, seq: readSeq });
    await this.burn.announceRead(caller.corpId, conversationId, conversation.me.userid, conversation.me.readSeq, readSeq);
    return readSeq;
  }

  async receipt(caller: CallerIdentity, conversationId: string, seq: number, pageSize: number) {
    await this.conversations.view(caller, conversationId);
    const message = await this.messages.findBySeq(this.transactions.manager, caller.corpId, conversationId, seq);
    if (!message) throw new NotFoundError(`message ${seq}`, { seq });
    return this.conversationsRepository.receipt(
      this.transactions.manager,
      caller.corpId,
      conversationId,
      seq,
      message.sender,
      Math.min(Math.max(pageSize, 0), 2_000),
    );
  }
}
