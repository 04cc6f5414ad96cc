import { Inject, Injectable } from '@nestjs/common';
import type { RefusalReason } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  ValidationError,
} from '@atrium/platform';
import { BurnService } from '../burn/burn.service';
import { ConversationView } from '../conversations/conversation';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ConversationsService } from '../conversations/conversations.service';
import { DirectoryPort } from '../directory/directory.port';
import { ForwardedFrom, Message } from '../messages/message';
import { MessageAppender } from '../messages/message-appender';
import { assertMayPost } from '../messages/send-rules';
import { MessagesRepository } from '../messages/messages.repository';
import { toWire } from '../messages/message-snapshot';
import { FileForwarding } from '../policies/feature-policy';
import { CorpPoliciesService } from '../policies/corp-policies.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { FileItem, fileItemsOf, forwardingBlocked } from './forwarding-policy';

export interface ForwardInput {
  conversationId: string;
  clientMsgId: string;
  messages: { conversationId: string; seq: number }[];
  mode: string;
}

/** Each forwarded message gets `<id>.<n>`, which must still fit the 64-character client id. */
const FORWARD_CLIENT_ID = /^[A-Za-z0-9_.:-]{1,56}$/;
const MAX_MESSAGES = 100;
const MEMBER_PAGE = 2_000;

/**
 * Forwards messages the caller can see into a conversation they belong to: one by one (each keeps
 * a `forwarded_from` reference to where it first came from) or merged into one chat record. Media
 * files obey the corp's file-forwarding policy. Recalled, expired, system and burn-after-reading
 * messages are never forwarded.
 */
@Injectable()
export class ForwardingService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsService,
    private readonly conversationsRepository: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly appender: MessageAppender,
    private readonly burn: BurnService,
    private readonly policies: CorpPoliciesService,
    private readonly directory: DirectoryPort,
    private readonly realtime: RealtimePublisher,
  ) {}

  async forward(caller: CallerIdentity, input: ForwardInput): Promise<{ messages: Message[]; created: boolean }> {
    if (!FORWARD_CLIENT_ID.test(input.clientMsgId))
      throw new ValidationError('client_msg_id must be 1-56 characters of letters, digits and _.:-', { field: 'client_msg_id' });
    if (input.messages.length < 1 || input.messages.length > MAX_MESSAGES)
      throw new ValidationError(`forward 1-${MAX_MESSAGES} messages at once`, { field: 'messages' });
    const mode = input.mode || 'separate';
    if (mode !== 'separate' && mode !== 'merged') throw new ValidationError('mode must be separate or merged', { field: 'mode' });

    const target = await this.conversations.view(caller, input.conversationId);
    const sources = await this.visibleSources(caller, input.messages);
    if (mode === 'merged' && sources.some((m) => m.type === 'chat_record'))
      throw new ValidationError('a merged forward cannot contain a merged forward; forward it on its own', { field: 'messages' });
    await this.enforcePolicy(caller, target, sources.flatMap(fileItemsOf));

    const drafts =
      mode === 'merged'
        ? [{ type: 'chat_record' as const, content: chatRecord(sources), forwardedFrom: null }]
        : sources.map((m) => ({ type: m.type, content: m.content, forwardedFrom: m.forwardedFrom ?? origin(m) }));
    let readBefore = 0;
    const result = await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.conversations.lockAsMember(tx, caller, input.conversationId);
      readBefore = me.readSeq;
      const ids = drafts.map((_, i) => `${input.clientMsgId}.${i + 1}`);
      const first = await this.messages.findByClientId(tx, caller.corpId, conversation.id, me.userid, ids[0]);
      if (first) {
        const originals = [first];
        for (const id of ids.slice(1)) {
          const original = await this.messages.findByClientId(tx, caller.corpId, conversation.id, me.userid, id);
          if (original) originals.push(original);
        }
        return { messages: originals, created: false };
      }
      if (conversation.kind !== 'direct' && conversation.kind !== 'group')
        throw new DomainError('FORBIDDEN', `messages cannot be forwarded into a ${conversation.kind} conversation`, {
          conversationId: conversation.id,
        });
      // A forward is no new @all and never burns after reading, whatever its sources were.
      assertMayPost(conversation, me, { burnAfterReading: false, mentionsEveryone: false }, new Date());
      const append = this.appender.begin([{ corpId: caller.corpId, conversationId: conversation.id, lastSeq: conversation.lastSeq }]);
      const written: Message[] = [];
      for (const [i, draft] of drafts.entries()) {
        written.push(
          await this.appender.compose(tx, append, caller.corpId, conversation.id, { sender: me.userid, clientMsgId: ids[i], ...draft }),
        );
      }
      await this.appender.write(tx, append);
      return { messages: written, created: true };
    });
    if (result.created) {
      const last = result.messages[result.messages.length - 1];
      await this.burn.announceRead(caller.corpId, last.conversationId, last.sender, readBefore, last.seq);
      this.bus.relay.nudge();
      for (const message of result.messages) {
        await this.realtime.toConversation(caller.corpId, {
          kind: 'message',
          conversationId: message.conversationId,
          message: toWire(message),
        });
      }
    }
    return result;
  }

  /** The sources as the caller sees them; a conversation or message they cannot see is simply not found. */
  private async visibleSources(caller: CallerIdentity, refs: { conversationId: string; seq: number }[]): Promise<Message[]> {
    const views = new Map<string, ConversationView>();
    const out: Message[] = [];
    for (const ref of refs) {
      let view = views.get(ref.conversationId);
      if (!view) {
        view = await this.conversations.view(caller, ref.conversationId);
        views.set(ref.conversationId, view);
      }
      const found =
        ref.seq > view.me.joinedSeq
          ? await this.messages.findBySeq(this.transactions.manager, caller.corpId, ref.conversationId, ref.seq)
          : undefined;
      if (!found) throw new NotFoundError(`message ${ref.seq}`, { conversationId: ref.conversationId, seq: ref.seq });
      const [message] = await this.burn.present(caller.corpId, view.me, [found]);
      const refused = (reason: RefusalReason, what: string) =>
        new DomainError('PRECONDITION_FAILED', `${what} cannot be forwarded`, { reason, conversationId: ref.conversationId, seq: ref.seq });
      if (message.recalledAt) throw refused('RECALLED', 'a recalled message');
      if (message.burnAfterReading) throw refused('BURN_AFTER_READING', 'a burn-after-reading message');
      if (message.expiredAt) throw refused('EXPIRED', 'a message past the retention period');
      if (message.type === 'system') throw refused('SYSTEM_MESSAGE', 'a system notice');
      out.push(message);
    }
    return out;
  }

  /**
   * internal_only: every member of the target is an active member of this corp (messaging has no
   * external members yet, so this refuses app conversations and anyone who left or was disabled).
   * same_department: every member shares a direct department with each file's original sender.
   */
  private async enforcePolicy(caller: CallerIdentity, target: ConversationView, files: FileItem[]): Promise<void> {
    if (files.length === 0) return;
    const policy = (await this.policies.get(caller.corpId)).fileForwarding as FileForwarding;
    if (policy === 'any') return;
    if (target.kind !== 'direct' && target.kind !== 'group')
      throw forwardingBlocked(policy, `the target is a ${target.kind} conversation`, { conversationId: target.id });
    const members = await this.memberIds(caller.corpId, target.id);
    const senders = [...new Set(files.map((f) => f.originalSender))];
    const known = await this.directory.memberDepartments(caller, [...new Set([...members, ...senders])]);
    const outsider = members.find((u) => !known.get(u)?.active);
    if (outsider) throw forwardingBlocked(policy, `${outsider} is not an active member of the corp`, { userid: outsider });
    if (policy !== 'same_department') return;
    for (const sender of senders) {
      const departments = new Set(known.get(sender)?.departments ?? []);
      const apart = members.find((u) => !(known.get(u)?.departments ?? []).some((d) => departments.has(d)));
      if (apart) throw forwardingBlocked(policy, `${apart} shares no department with ${sender}`, { userid: apart, originalSender: sender });
    }
  }

  private async memberIds(corpId: string, conversationId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let after = ''; ;) {
      const page = await this.conversationsRepository.members(this.transactions.manager, corpId, conversationId, after, MEMBER_PAGE);
      ids.push(...page.map((m) => m.userid));
      if (page.length < MEMBER_PAGE) return ids;
      after = page[page.length - 1].userid;
    }
  }
}

const origin = (m: Message): ForwardedFrom => ({
  conversationId: m.conversationId,
  seq: m.seq,
  sender: m.sender,
  sentAt: m.sentAt.toISOString(),
  messageId: m.id,
});

/** A merged forward: the messages as they were, each with its own origin. */
function chatRecord(sources: Message[]): Record<string, unknown> {
  return {
    title: `Chat history (${sources.length} message${sources.length === 1 ? '' : 's'})`,
    items: sources.map((m) => ({
      ...origin(m),
      type: m.type,
      content: m.content,
      ...(m.forwardedFrom ? { forwardedFrom: m.forwardedFrom } : {}),
    })),
  };
}
