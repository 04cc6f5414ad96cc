import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { ConversationCreated, ConversationMembersChanged, ConversationUpdated } from '@atrium/contracts';
import {
  CallerIdentity,
  ConflictError,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { Conversation } from '../conversations/conversation';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ConversationsService } from '../conversations/conversations.service';
import { DirectoryPort } from '../directory/directory.port';
import { MediaService } from '../media/media.service';
import { Message } from '../messages/message';
import { parseContent } from '../messages/message-content';
import { MessageAppender } from '../messages/message-appender';
import { toWire } from '../messages/message-snapshot';
import { CorpPoliciesService } from '../policies/corp-policies.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { appAgentidOf, appSender, normaliseUserids } from './app-caller';
import { AppMessagesRepository } from './app-messages.repository';

export interface AppChat {
  chatid: string;
  conversationId: string;
  name: string;
  owner: string;
  userids: string[];
}

export interface CreateAppChatInput {
  chatid: string;
  name: string;
  owner: string;
  userids: string[];
}

export interface AppChatPatch {
  name?: string;
  owner?: string;
  addUserids: string[];
  removeUserids: string[];
}

const CHATID = /^[0-9a-zA-Z]{1,32}$/;
const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** WeCom's bounds of an app's group chat: 2-2000 members, a name cut at 50 characters. */
export const APP_CHAT_MIN_MEMBERS = 2;
export const APP_CHAT_MAX_MEMBERS = 2_000;
const NAME_MAX = 50;

const newChatid = () => [...randomBytes(24)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
const chatName = (name: string) => [...name.trim()].slice(0, NAME_MAX).join('');

/**
 * Group chats an app creates and speaks in (WeCom appchat). They are ordinary groups to their
 * members; to apps they are reached by chatid, and only by the app that created them. The app is
 * not a member: it acts with an owner's power over membership and posts as `app:<agentid>`.
 */
@Injectable()
export class AppChatsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly repository: AppMessagesRepository,
    private readonly conversationsRepository: ConversationsRepository,
    private readonly conversations: ConversationsService,
    private readonly appender: MessageAppender,
    private readonly policies: CorpPoliciesService,
    private readonly directory: DirectoryPort,
    private readonly realtime: RealtimePublisher,
    private readonly media: MediaService,
  ) {}

  async create(caller: CallerIdentity, input: CreateAppChatInput): Promise<AppChat> {
    const agentid = appAgentidOf(caller);
    const chatid = input.chatid || newChatid();
    if (!CHATID.test(chatid)) throw new ValidationError('chatid must be 1-32 letters and digits', { field: 'chatid' });
    const members = normaliseUserids(input.userids);
    if (members.length < APP_CHAT_MIN_MEMBERS || members.length > APP_CHAT_MAX_MEMBERS)
      throw new ValidationError(`a chat has ${APP_CHAT_MIN_MEMBERS}-${APP_CHAT_MAX_MEMBERS} members`, { field: 'userids' });
    const owner = input.owner.trim().toLowerCase() || members[randomInt(members.length)];
    if (!members.includes(owner)) throw new ValidationError('the owner must be one of the members', { field: 'owner' });
    const policy = await this.policies.get(caller.corpId);
    if (members.length > policy.maxGroupMembers)
      throw new DomainError('LIMIT_EXCEEDED', `a group has at most ${policy.maxGroupMembers} members`, { field: 'userids' });
    await this.requireActive(caller, members, 'userids');
    const name = chatName(input.name);
    const id = randomUUID();
    const actor = appSender(agentid);
    await this.transactions.run(async (tx) => {
      const inserted = await this.repository.insertChat(tx, {
        corpId: caller.corpId,
        id,
        chatid,
        agentid,
        name,
        owner,
        maxMembers: policy.maxGroupMembers,
      });
      if (!inserted) throw new ConflictError(`chatid ${chatid} is taken`, { field: 'chatid' });
      const roles = members.map((userid) => ({ userid, role: userid === owner ? ('owner' as const) : ('member' as const) }));
      await this.conversationsRepository.addMembers(tx, caller.corpId, id, roles, 0);
      await this.bus.publish(tx, ConversationCreated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        kind: 'group',
        name,
        owner,
        members,
        actor,
      });
    });
    this.bus.relay.nudge();
    await this.realtime.toUsers(caller.corpId, members, { kind: 'membership', conversationId: id, joined: true });
    return this.get(caller, chatid);
  }

  async get(caller: CallerIdentity, chatid: string): Promise<AppChat> {
    const tx = this.transactions.manager;
    const conversation = await this.ownChat(tx, caller, chatid, false);
    const members = await this.conversationsRepository.members(tx, caller.corpId, conversation.id, '', conversation.maxMembers + 1);
    return {
      chatid,
      conversationId: conversation.id,
      name: conversation.name,
      owner: conversation.owner,
      userids: members.map((m) => m.userid),
    };
  }

  /** Members join first (a new owner may be one of them), then the owner changes, then members leave. */
  async update(caller: CallerIdentity, chatid: string, patch: AppChatPatch): Promise<AppChat> {
    const actor = appSender(appAgentidOf(caller));
    const adding = normaliseUserids(patch.addUserids);
    const removing = normaliseUserids(patch.removeUserids);
    if (adding.some((u) => removing.includes(u)))
      throw new ValidationError('a member cannot be added and removed at once', { field: 'remove_userids' });
    const newOwner = patch.owner?.trim().toLowerCase() || undefined;
    await this.requireActive(caller, adding, 'add_userids');
    const result = await this.transactions.run(async (tx) => {
      let conversation = await this.ownChat(tx, caller, chatid, true);
      const changes: Record<string, unknown> = {};
      let ownerChanged = false;
      let added: string[] = [];
      let removed: string[] = [];
      if (adding.length > 0) {
        const present = await this.conversationsRepository.existingMembers(tx, caller.corpId, conversation.id, adding);
        const fresh = adding.filter((u) => !present.has(u));
        if (conversation.memberCount + fresh.length > Math.min(conversation.maxMembers, APP_CHAT_MAX_MEMBERS))
          throw new DomainError('LIMIT_EXCEEDED', `a chat has at most ${APP_CHAT_MAX_MEMBERS} members`, { field: 'add_userids' });
        const members = fresh.map((userid) => ({ userid, role: 'member' as const }));
        added = await this.conversationsRepository.addMembers(tx, caller.corpId, conversation.id, members, conversation.lastSeq);
      }
      if (newOwner && newOwner !== conversation.owner) {
        if (!(await this.conversationsRepository.member(tx, caller.corpId, conversation.id, newOwner)))
          throw new ValidationError('the new owner must be a member of the chat', { field: 'owner' });
        await this.conversations.handOver(tx, caller.corpId, conversation, newOwner, actor);
        conversation = { ...conversation, owner: newOwner };
        ownerChanged = true;
      }
      if (removing.length > 0) {
        if (removing.includes(conversation.owner))
          throw new ValidationError('the owner cannot be removed; name a new owner first', { field: 'owner' });
        removed = await this.conversationsRepository.removeMembers(tx, caller.corpId, conversation.id, removing);
      }
      if (added.length > 0 || removed.length > 0) {
        await this.bus.publish(tx, ConversationMembersChanged, caller.corpId, {
          corpId: caller.corpId,
          conversationId: conversation.id,
          added,
          removed,
          actor,
        });
      }
      if (patch.name !== undefined) {
        const name = chatName(patch.name);
        if (name.length === 0) throw new ValidationError('name must not be blank', { field: 'name' });
        if (name !== conversation.name) {
          conversation = { ...conversation, name };
          changes.name = name;
          await this.conversationsRepository.update(tx, conversation);
          await this.bus.publish(tx, ConversationUpdated, caller.corpId, {
            corpId: caller.corpId,
            conversationId: conversation.id,
            changes,
            actor,
          });
        }
      }
      return { conversationId: conversation.id, owner: conversation.owner, ownerChanged, added, removed, changes };
    });
    this.bus.relay.nudge();
    const { conversationId } = result;
    if (result.added.length) await this.realtime.toUsers(caller.corpId, result.added, { kind: 'membership', conversationId, joined: true });
    if (result.removed.length)
      await this.realtime.toUsers(caller.corpId, result.removed, { kind: 'membership', conversationId, joined: false });
    if (result.added.length || result.removed.length) {
      await this.realtime.toConversation(caller.corpId, {
        kind: 'conversation',
        conversationId,
        change: 'members',
        data: { added: result.added, removed: result.removed },
      });
    }
    if (result.ownerChanged)
      await this.realtime.toConversation(caller.corpId, {
        kind: 'conversation',
        conversationId,
        change: 'owner',
        data: { owner: result.owner },
      });
    if (Object.keys(result.changes).length > 0)
      await this.realtime.toConversation(caller.corpId, { kind: 'conversation', conversationId, change: 'updated', data: result.changes });
    return this.get(caller, chatid);
  }

  async send(caller: CallerIdentity, chatid: string, type: string, contentJson: string): Promise<Message> {
    const sender = appSender(appAgentidOf(caller));
    const parsed = parseContent(type, contentJson);
    const message = await this.transactions.run(async (tx) => {
      const conversation = await this.ownChat(tx, caller, chatid, true);
      const append = this.appender.begin([{ corpId: caller.corpId, conversationId: conversation.id, lastSeq: conversation.lastSeq }]);
      const sent: Message = {
        corpId: caller.corpId,
        conversationId: conversation.id,
        seq: append.nextSeq(caller.corpId, conversation.id),
        id: randomUUID(),
        sender,
        clientMsgId: randomUUID(),
        type: parsed.type,
        content: parsed.content,
        sentAt: new Date(),
        recalledAt: null,
        recalledBy: null,
      };
      Object.assign(sent.content, await this.media.attach(tx, caller.corpId, sender, sent));
      // The app is no member of the chat: there is no cursor of its own to move.
      append.add(sent, { senderIsMember: false });
      await this.appender.write(tx, append);
      return sent;
    });
    this.bus.relay.nudge();
    await this.realtime.toConversation(caller.corpId, {
      kind: 'message',
      conversationId: message.conversationId,
      message: toWire(message),
    });
    return message;
  }

  /**
   * The chat if the calling app created it. Unknown: NOT_FOUND; another app's: FORBIDDEN (WeCom
   * tells an app the chat is not its own). `lock`: under the conversation's row lock, and live.
   */
  private async ownChat(tx: Tx, caller: CallerIdentity, chatid: string, lock: boolean): Promise<Conversation> {
    const agentid = appAgentidOf(caller);
    if (!CHATID.test(chatid)) throw new NotFoundError(`chat ${chatid}`, { field: 'chatid' });
    const found = await this.repository.findChat(tx, caller.corpId, chatid);
    if (!found) throw new NotFoundError(`chat ${chatid}`, { field: 'chatid' });
    if (found.agentid !== agentid) throw new DomainError('FORBIDDEN', 'the chat was created by another app', { field: 'chatid' });
    const conversation = lock
      ? await this.conversationsRepository.lock(tx, caller.corpId, found.conversationId)
      : await this.conversationsRepository.find(tx, caller.corpId, found.conversationId);
    if (!conversation) throw new NotFoundError(`chat ${chatid}`, { field: 'chatid' });
    if (lock && conversation.dissolved)
      throw new DomainError('PRECONDITION_FAILED', 'the chat has been dissolved', { field: 'chatid', reason: 'DISSOLVED' });
    return conversation;
  }

  private async requireActive(caller: CallerIdentity, userids: string[], field: string): Promise<void> {
    const { invalid } = await this.directory.activeMembers(caller, userids);
    if (invalid.length > 0) throw new NotFoundError(`member ${invalid[0]}`, { field, userids: invalid });
  }
}
