import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConversationCreated, ConversationMembersChanged, ConversationUpdated } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  SUPER_ADMIN_ROLE,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { assertManualMembership } from '../department-groups/department-group-rules';
import { DirectoryPort } from '../directory/directory.port';
import { CorpPoliciesService } from '../policies/corp-policies.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { Conversation, ConversationMember, ConversationView, MemberRole } from './conversation';
import { ConversationsRepository } from './conversations.repository';

export interface CreateConversationInput {
  kind: string;
  name: string;
  members: string[];
  adminOnly: boolean;
  whoMayAdd: string;
}

export interface ConversationPatch {
  name?: string;
  notice?: string;
  adminOnly?: boolean;
  whoMayAdd?: string;
}

const lower = (ids: string[]) => [...new Set(ids.map((u) => u.trim().toLowerCase()).filter(Boolean))];

@Injectable()
export class ConversationsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly policies: CorpPoliciesService,
    private readonly conversations: ConversationsRepository,
    private readonly directory: DirectoryPort,
    private readonly realtime: RealtimePublisher,
  ) {}

  async create(caller: CallerIdentity, input: CreateConversationInput): Promise<{ conversation: ConversationView; created: boolean }> {
    const me = caller.userId.toLowerCase();
    const others = lower(input.members).filter((u) => u !== me);
    if (input.kind !== 'direct' && input.kind !== 'group') throw new ValidationError('kind must be direct or group', { field: 'kind' });
    if (input.kind === 'direct' && others.length !== 1)
      throw new ValidationError('a direct conversation has exactly one other member', { field: 'members' });
    if (input.kind === 'group' && others.length < 1)
      throw new ValidationError('a group needs at least one other member', { field: 'members' });
    const policy = await this.policies.get(caller.corpId);
    if (input.kind === 'group' && !policy.membersMayCreateGroups && !caller.roles.includes(SUPER_ADMIN_ROLE)) {
      throw new DomainError('FORBIDDEN', 'your corp lets only administrators create groups');
    }
    if (others.length + 1 > policy.maxGroupMembers) {
      throw new DomainError('LIMIT_EXCEEDED', `a group has at most ${policy.maxGroupMembers} members`, { limit: policy.maxGroupMembers });
    }
    const name = input.name.trim();
    if ([...name].length > 64) throw new ValidationError('name must be at most 64 characters', { field: 'name' });
    const whoMayAdd = input.whoMayAdd || 'all';
    if (whoMayAdd !== 'all' && whoMayAdd !== 'admins')
      throw new ValidationError('who_may_add must be all or admins', { field: 'who_may_add' });
    const { invalid } = await this.directory.activeMembers(caller, others);
    if (invalid.length > 0) throw new NotFoundError(`member ${invalid[0]}`, { field: 'members', userids: invalid });

    const directKey = input.kind === 'direct' ? [me, others[0]].sort().join('|') : null;
    const id = randomUUID();
    const result = await this.transactions.run(async (tx) => {
      const inserted = await this.conversations.insert(
        tx,
        {
          corpId: caller.corpId,
          id,
          kind: input.kind as 'direct' | 'group',
          name,
          owner: me,
          notice: '',
          adminOnly: input.adminOnly,
          whoMayAdd,
          maxMembers: policy.maxGroupMembers,
        },
        directKey,
      );
      if (!inserted && directKey) {
        const existing = await this.conversations.findDirect(tx, caller.corpId, directKey);
        if (!existing) throw new DomainError('CONFLICT', 'conversation creation raced; retry');
        return { id: existing.id, created: false, members: [] as string[] };
      }
      const members: { userid: string; role: MemberRole }[] = [
        { userid: me, role: input.kind === 'group' ? 'owner' : 'member' },
        ...others.map((u) => ({ userid: u, role: 'member' as const })),
      ];
      await this.conversations.addMembers(tx, caller.corpId, id, members, 0);
      await this.bus.publish(tx, ConversationCreated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        kind: input.kind as 'direct' | 'group',
        name,
        owner: me,
        members: members.map((m) => m.userid),
        actor: me,
      });
      return { id, created: true, members: members.map((m) => m.userid) };
    });
    if (result.created)
      await this.realtime.toUsers(caller.corpId, result.members, { kind: 'membership', conversationId: result.id, joined: true });
    return { conversation: await this.view(caller, result.id), created: result.created };
  }

  async view(caller: CallerIdentity, id: string): Promise<ConversationView> {
    const tx = this.transactions.manager;
    const conversation = await this.conversations.find(tx, caller.corpId, id);
    const me = conversation && (await this.conversations.member(tx, caller.corpId, id, caller.userId.toLowerCase()));
    // Not a member: the conversation does not exist as far as the caller can tell.
    if (!conversation || !me) throw new NotFoundError('conversation', { conversationId: id });
    return { ...conversation, me };
  }

  async list(
    caller: CallerIdentity,
    pageSize: number,
    pageToken: string,
  ): Promise<{ conversations: ConversationView[]; nextPageToken: string }> {
    const size = pageSize <= 0 ? 50 : Math.min(pageSize, 200);
    const offset = pageToken ? Number.parseInt(pageToken, 10) || 0 : 0;
    const rows = await this.conversations.listFor(this.transactions.manager, caller.corpId, caller.userId.toLowerCase(), offset, size + 1);
    return { conversations: rows.slice(0, size), nextPageToken: rows.length > size ? String(offset + size) : '' };
  }

  async update(caller: CallerIdentity, id: string, patch: ConversationPatch): Promise<ConversationView> {
    const changes: Record<string, unknown> = {};
    await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.lockAsMember(tx, caller, id);
      this.requireGroup(conversation);
      this.requireRole(me, ['owner', 'admin'], 'change the group');
      const updated: Conversation = { ...conversation };
      if (patch.name !== undefined) {
        const name = patch.name.trim();
        if (name.length < 1 || [...name].length > 64) throw new ValidationError('name must be 1-64 characters', { field: 'name' });
        updated.name = changes.name = name;
      }
      if (patch.notice !== undefined) {
        if ([...patch.notice].length > 2_000) throw new ValidationError('notice must be at most 2000 characters', { field: 'notice' });
        updated.notice = changes.notice = patch.notice;
      }
      if (patch.adminOnly !== undefined) updated.adminOnly = changes.adminOnly = patch.adminOnly;
      if (patch.whoMayAdd !== undefined) {
        if (patch.whoMayAdd !== 'all' && patch.whoMayAdd !== 'admins')
          throw new ValidationError('who_may_add must be all or admins', { field: 'who_may_add' });
        updated.whoMayAdd = patch.whoMayAdd;
        changes.whoMayAdd = patch.whoMayAdd;
      }
      await this.conversations.update(tx, updated);
      await this.bus.publish(tx, ConversationUpdated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        changes,
        actor: me.userid,
      });
    });
    await this.realtime.toConversation(caller.corpId, { kind: 'conversation', conversationId: id, change: 'updated', data: changes });
    return this.view(caller, id);
  }

  async addMembers(caller: CallerIdentity, id: string, userids: string[]): Promise<string[]> {
    const wanted = lower(userids);
    if (wanted.length === 0) throw new ValidationError('userids is empty', { field: 'userids' });
    const { invalid } = await this.directory.activeMembers(caller, wanted);
    if (invalid.length > 0) throw new NotFoundError(`member ${invalid[0]}`, { field: 'userids', userids: invalid });
    const added = await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.lockAsMember(tx, caller, id);
      this.requireGroup(conversation);
      assertManualMembership(conversation);
      if (conversation.whoMayAdd === 'admins') this.requireRole(me, ['owner', 'admin'], 'add members');
      const present = await this.conversations.existingMembers(tx, caller.corpId, id, wanted);
      const fresh = wanted.filter((u) => !present.has(u));
      if (conversation.memberCount + fresh.length > conversation.maxMembers) {
        throw new DomainError('LIMIT_EXCEEDED', `a group has at most ${conversation.maxMembers} members`, {
          limit: conversation.maxMembers,
        });
      }
      const inserted = await this.conversations.addMembers(
        tx,
        caller.corpId,
        id,
        fresh.map((userid) => ({ userid, role: 'member' as const })),
        conversation.lastSeq,
      );
      if (inserted.length > 0) {
        await this.bus.publish(tx, ConversationMembersChanged, caller.corpId, {
          corpId: caller.corpId,
          conversationId: id,
          added: inserted,
          removed: [],
          actor: me.userid,
        });
      }
      return inserted;
    });
    await this.announceMembership(caller.corpId, id, added, []);
    return added;
  }

  async removeMembers(caller: CallerIdentity, id: string, userids: string[]): Promise<string[]> {
    const targets = lower(userids);
    if (targets.length === 0) throw new ValidationError('userids is empty', { field: 'userids' });
    const removed = await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.lockAsMember(tx, caller, id);
      this.requireGroup(conversation);
      assertManualMembership(conversation);
      const leavingOnlyMyself = targets.length === 1 && targets[0] === me.userid;
      if (targets.includes(conversation.owner)) {
        throw new DomainError('PRECONDITION_FAILED', 'the owner cannot leave or be removed; transfer ownership first', {
          userid: conversation.owner,
        });
      }
      if (!leavingOnlyMyself) {
        this.requireRole(me, ['owner', 'admin'], 'remove members');
        if (me.role === 'admin') {
          for (const target of targets) {
            const member = await this.conversations.member(tx, caller.corpId, id, target);
            if (member?.role === 'admin' && target !== me.userid)
              throw new DomainError('FORBIDDEN', 'only the owner may remove an admin', { userid: target });
          }
        }
      }
      const gone = await this.conversations.removeMembers(tx, caller.corpId, id, targets);
      if (gone.length > 0) {
        await this.bus.publish(tx, ConversationMembersChanged, caller.corpId, {
          corpId: caller.corpId,
          conversationId: id,
          added: [],
          removed: gone,
          actor: me.userid,
        });
      }
      return gone;
    });
    await this.announceMembership(caller.corpId, id, [], removed);
    return removed;
  }

  async members(
    caller: CallerIdentity,
    id: string,
    pageSize: number,
    pageToken: string,
  ): Promise<{ members: ConversationMember[]; nextPageToken: string }> {
    await this.view(caller, id);
    const size = pageSize <= 0 ? 500 : Math.min(pageSize, 2_000);
    const rows = await this.conversations.members(this.transactions.manager, caller.corpId, id, pageToken, size + 1);
    const page = rows.slice(0, size);
    return { members: page, nextPageToken: rows.length > size ? page[page.length - 1].userid : '' };
  }

  async setRole(caller: CallerIdentity, id: string, userid: string, role: string): Promise<void> {
    if (role !== 'admin' && role !== 'member') throw new ValidationError('role must be admin or member', { field: 'role' });
    const target = userid.toLowerCase();
    await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.lockAsMember(tx, caller, id);
      this.requireGroup(conversation);
      this.requireRole(me, ['owner'], 'appoint admins');
      const member = await this.conversations.member(tx, caller.corpId, id, target);
      if (!member) throw new NotFoundError(`member ${target} of this conversation`, { userid: target });
      if (member.role === 'owner')
        throw new DomainError('PRECONDITION_FAILED', 'the owner keeps the owner role; transfer ownership instead');
      await this.conversations.setRole(tx, caller.corpId, id, target, role);
      await this.bus.publish(tx, ConversationUpdated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        changes: { role: { userid: target, role } },
        actor: me.userid,
      });
    });
    await this.realtime.toConversation(caller.corpId, {
      kind: 'conversation',
      conversationId: id,
      change: 'role',
      data: { userid: target, role },
    });
  }

  async muteMember(caller: CallerIdentity, id: string, userid: string, minutes: number): Promise<void> {
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > 30 * 24 * 60)
      throw new ValidationError('minutes must be 0-43200', { field: 'minutes' });
    const target = userid.toLowerCase();
    await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.lockAsMember(tx, caller, id);
      this.requireGroup(conversation);
      this.requireRole(me, ['owner', 'admin'], 'mute members');
      const member = await this.conversations.member(tx, caller.corpId, id, target);
      if (!member) throw new NotFoundError(`member ${target} of this conversation`, { userid: target });
      if (member.role !== 'member') throw new DomainError('FORBIDDEN', 'the owner and admins cannot be muted', { userid: target });
      const until = minutes === 0 ? null : new Date(Date.now() + minutes * 60_000);
      await this.conversations.setMutedUntil(tx, caller.corpId, id, target, until);
      await this.bus.publish(tx, ConversationUpdated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        changes: { muted: { userid: target, until: until?.toISOString() ?? null } },
        actor: me.userid,
      });
    });
  }

  async transferOwnership(caller: CallerIdentity, id: string, newOwner: string): Promise<void> {
    const target = newOwner.toLowerCase();
    await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.lockAsMember(tx, caller, id);
      this.requireGroup(conversation);
      this.requireRole(me, ['owner'], 'transfer ownership');
      await this.handOver(tx, caller.corpId, conversation, target, me.userid);
    });
    await this.realtime.toConversation(caller.corpId, {
      kind: 'conversation',
      conversationId: id,
      change: 'owner',
      data: { owner: target },
    });
  }

  /** Shared by an owner's transfer and by offboarding: the old owner stays as an admin if still a member. */
  async handOver(tx: Tx, corpId: string, conversation: Conversation, newOwner: string, actor: string): Promise<void> {
    const member = await this.conversations.member(tx, corpId, conversation.id, newOwner);
    if (!member) throw new NotFoundError(`member ${newOwner} of this conversation`, { userid: newOwner });
    await this.conversations.setRole(tx, corpId, conversation.id, conversation.owner, 'admin');
    await this.conversations.setRole(tx, corpId, conversation.id, newOwner, 'owner');
    await this.conversations.update(tx, { ...conversation, owner: newOwner });
    await this.bus.publish(tx, ConversationUpdated, corpId, {
      corpId,
      conversationId: conversation.id,
      changes: { owner: newOwner },
      actor,
    });
  }

  async dissolve(caller: CallerIdentity, id: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.lockAsMember(tx, caller, id);
      this.requireGroup(conversation);
      this.requireRole(me, ['owner'], 'dissolve the group');
      await this.conversations.update(tx, { ...conversation, dissolved: true });
      await this.bus.publish(tx, ConversationUpdated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        changes: { dissolved: true },
        actor: me.userid,
      });
    });
    await this.realtime.toConversation(caller.corpId, { kind: 'conversation', conversationId: id, change: 'dissolved', data: {} });
  }

  async setPreferences(
    caller: CallerIdentity,
    id: string,
    pinned: boolean | undefined,
    notificationsMuted: boolean | undefined,
  ): Promise<ConversationView> {
    const current = await this.view(caller, id);
    await this.conversations.setPreferences(
      this.transactions.manager,
      caller.corpId,
      id,
      current.me.userid,
      pinned ?? current.me.pinned,
      notificationsMuted ?? current.me.notificationsMuted,
    );
    return this.view(caller, id);
  }

  async lockAsMember(tx: Tx, caller: CallerIdentity, id: string): Promise<{ conversation: Conversation; me: ConversationMember }> {
    const conversation = await this.conversations.lock(tx, caller.corpId, id);
    const me = conversation && (await this.conversations.member(tx, caller.corpId, id, caller.userId.toLowerCase()));
    if (!conversation || !me) throw new NotFoundError('conversation', { conversationId: id });
    if (conversation.dissolved)
      throw new DomainError('PRECONDITION_FAILED', 'the group has been dissolved', { reason: 'DISSOLVED', conversationId: id });
    return { conversation, me };
  }

  private requireGroup(conversation: Conversation): void {
    if (conversation.kind !== 'group')
      throw new DomainError('PRECONDITION_FAILED', 'only groups have members, roles and settings to change');
  }

  private requireRole(me: ConversationMember, roles: MemberRole[], action: string): void {
    if (!roles.includes(me.role)) throw new DomainError('FORBIDDEN', `only the ${roles.join(' or ')} may ${action}`);
  }

  private async announceMembership(corpId: string, id: string, added: string[], removed: string[]): Promise<void> {
    if (added.length) await this.realtime.toUsers(corpId, added, { kind: 'membership', conversationId: id, joined: true });
    if (removed.length) await this.realtime.toUsers(corpId, removed, { kind: 'membership', conversationId: id, joined: false });
    if (added.length || removed.length) {
      await this.realtime.toConversation(corpId, { kind: 'conversation', conversationId: id, change: 'members', data: { added, removed } });
    }
  }
}
