import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ConversationCreated,
  ConversationMembersChanged,
  ConversationUpdated,
  DepartmentDeleted,
  DepartmentMoved,
  isEvent,
  MemberCreated,
  MemberDeleted,
  MemberDisabled,
  MemberEnabled,
  MemberOffboarded,
  MemberUpdated,
} from '@atrium/contracts';
import {
  AppLogger,
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  LOGGER,
  NotFoundError,
  SERVICE_ROLE,
  SUPER_ADMIN_ROLE,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { ConversationView } from '../conversations/conversation';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ConversationsService } from '../conversations/conversations.service';
import { DirectoryPort } from '../directory/directory.port';
import { CorpPoliciesService } from '../policies/corp-policies.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { DepartmentGroupEvent } from './department-group-events';
import { DepartmentGroupsRepository, ResyncRequest } from './department-groups.repository';

export interface CreateDepartmentGroupInput {
  departmentId: number;
  subtree: boolean;
  name: string;
}

/** Who changes a department group's members: the directory, through this service. */
export const DIRECTORY_ACTOR = 'system:directory';

/**
 * Department groups (部门群): a group bound to a directory department, with or without its
 * subtree. An admin in scope creates it and owns it; from then on its members are the
 * department's active members (plus the owner), recomputed from the directory whenever a
 * directory event may have changed them. Nobody joins, leaves or is removed by hand.
 *
 * Events only mark groups for a resync (in the consumer's transaction, so a replay is a no-op);
 * the resync asks the directory for the current members and applies the difference under the
 * conversation lock. Recomputing instead of applying each event makes the order and repetition
 * of directory events irrelevant, and coalesces a burst of them into one pass per group.
 */
@Injectable()
export class DepartmentGroupsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly groups: DepartmentGroupsRepository,
    private readonly conversationsRepository: ConversationsRepository,
    private readonly conversations: ConversationsService,
    private readonly policies: CorpPoliciesService,
    private readonly directory: DirectoryPort,
    private readonly realtime: RealtimePublisher,
  ) {}

  async create(caller: CallerIdentity, input: CreateDepartmentGroupInput): Promise<ConversationView> {
    if (!Number.isInteger(input.departmentId) || input.departmentId < 1)
      throw new ValidationError('department_id must be a department id', { field: 'department_id' });
    const department = await this.directory.department(caller, input.departmentId);
    if (!department) throw new NotFoundError(`department ${input.departmentId}`, { field: 'department_id' });
    if (!caller.roles.includes(SUPER_ADMIN_ROLE) && !(await this.directory.administers(caller, [department.id], 'manage_members'))) {
      throw new DomainError(
        'FORBIDDEN',
        `only a super admin or an admin whose scope includes department ${department.id} may create its group`,
        {
          departmentId: department.id,
        },
      );
    }
    const name = (input.name.trim() || department.name).slice(0, 64);
    const policy = await this.policies.get(caller.corpId);
    const owner = caller.userId.toLowerCase();
    const resolved = (await this.directory.departmentMembers(caller, department.id, input.subtree)) ?? [];
    const members = [owner, ...resolved.filter((u) => u !== owner)];
    if (members.length > policy.maxGroupMembers) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        `the department has ${members.length} members with you; a group has at most ${policy.maxGroupMembers}`,
        {
          limit: policy.maxGroupMembers,
          members: members.length,
        },
      );
    }
    const id = randomUUID();
    await this.transactions.run(async (tx) => {
      await this.conversationsRepository.insert(
        tx,
        {
          corpId: caller.corpId,
          id,
          kind: 'group',
          name,
          owner,
          notice: '',
          adminOnly: false,
          whoMayAdd: 'admins',
          maxMembers: policy.maxGroupMembers,
        },
        null,
      );
      await this.groups.bind(tx, caller.corpId, id, department.id, input.subtree);
      await this.conversationsRepository.addMembers(
        tx,
        caller.corpId,
        id,
        members.map((userid) => ({ userid, role: userid === owner ? ('owner' as const) : ('member' as const) })),
        0,
      );
      await this.bus.publish(tx, ConversationCreated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        kind: 'group',
        name,
        owner,
        members,
        actor: owner,
      });
      await this.bus.publish(tx, ConversationUpdated, caller.corpId, {
        corpId: caller.corpId,
        conversationId: id,
        changes: { department: { id: department.id, subtree: input.subtree } },
        actor: owner,
      });
    });
    await this.realtime.toUsers(caller.corpId, members, { kind: 'membership', conversationId: id, joined: true });
    return this.conversations.view(caller, id);
  }

  /** In the consumer's transaction: which department groups the event may have changed. */
  async onDirectoryEvent(tx: Tx, event: DepartmentGroupEvent): Promise<void> {
    const { corpId } = event.payload;
    if (!(await this.groups.anyIn(tx, corpId))) return;
    const system = systemCaller(corpId);
    const affected = new Set<string>();
    const add = (ids: string[]) => ids.forEach((id) => affected.add(id));
    if (isEvent(event, MemberCreated, MemberUpdated)) {
      const changed = isEvent(event, MemberUpdated) ? event.payload.changed : undefined;
      const { member } = event.payload;
      if (!changed || changed.includes('departments')) {
        add(await this.groups.of(tx, corpId, member.userid));
        add(await this.groupsContaining(tx, system, member.departments));
      }
    }
    if (isEvent(event, MemberEnabled)) {
      const { userid } = event.payload;
      const member = (await this.directory.memberDepartments(system, [userid])).get(userid);
      add(await this.groupsContaining(tx, system, member?.departments ?? []));
    }
    if (isEvent(event, DepartmentMoved)) {
      // Subtree groups above the department, where it was and where it is now.
      const { department, fromParentId } = event.payload;
      const before = fromParentId > 0 ? ((await this.directory.department(system, fromParentId))?.path ?? [fromParentId]) : [];
      add(await this.groups.boundTo(tx, corpId, [], [...department.path, ...before]));
    }
    if (isEvent(event, DepartmentDeleted)) add(await this.groups.boundTo(tx, corpId, [event.payload.departmentId], []));
    // Disabled, deleted, offboarded: they leave the department groups they are in.
    if (isEvent(event, MemberDisabled, MemberDeleted, MemberOffboarded)) add(await this.groups.of(tx, corpId, event.payload.userid));
    await this.groups.requestResync(tx, corpId, [...affected]);
  }

  /** Serves up to `limit` pending resyncs; returns how many. */
  async resyncPending(limit = 20): Promise<number> {
    const pending = await this.groups.pending(this.transactions.manager, limit);
    for (const request of pending) {
      try {
        await this.resync(request);
      } catch (error) {
        // The request stays: the next round retries it.
        this.logger.warn({ err: error, conversationId: request.conversationId }, 'department group resync failed; retrying later');
      }
    }
    return pending.length;
  }

  private async resync(request: ResyncRequest): Promise<void> {
    const { corpId, conversationId } = request;
    const group = await this.conversationsRepository.find(this.transactions.manager, corpId, conversationId);
    const resolved =
      group?.departmentId && !group.dissolved
        ? await this.directory.departmentMembers(systemCaller(corpId), group.departmentId, group.departmentSubtree ?? false)
        : undefined;
    const { maxGroupMembers } = await this.policies.get(corpId);
    const change = await this.transactions.run(async (tx) => {
      const locked = await this.conversationsRepository.lock(tx, corpId, conversationId);
      await this.groups.resolved(tx, request);
      if (!locked?.departmentId || locked.dissolved || resolved === undefined) return undefined;
      if (resolved === null) {
        await this.groups.unbind(tx, corpId, conversationId);
        await this.bus.publish(tx, ConversationUpdated, corpId, {
          corpId,
          conversationId,
          changes: { department: null },
          actor: DIRECTORY_ACTOR,
        });
        return { added: [], removed: [], unbound: true };
      }
      const current = new Set(await this.groups.memberIds(tx, corpId, conversationId));
      const wanted = new Set([...resolved, locked.owner]);
      const removed = [...current].filter((u) => !wanted.has(u) && u !== locked.owner);
      const room = Math.max(0, maxGroupMembers - (current.size - removed.length));
      const joining = [...wanted].filter((u) => !current.has(u)).sort();
      if (joining.length > room)
        this.logger.warn(
          { corpId, conversationId, cap: maxGroupMembers, left: joining.length - room },
          'department group is full; members left out',
        );
      await this.conversationsRepository.removeMembers(tx, corpId, conversationId, removed);
      const added = await this.conversationsRepository.addMembers(
        tx,
        corpId,
        conversationId,
        joining.slice(0, room).map((userid) => ({ userid, role: 'member' as const })),
        locked.lastSeq,
      );
      if (added.length > 0 || removed.length > 0) {
        await this.bus.publish(tx, ConversationMembersChanged, corpId, { corpId, conversationId, added, removed, actor: DIRECTORY_ACTOR });
      }
      return { added, removed, unbound: false };
    });
    if (!change) return;
    const { added, removed, unbound } = change;
    if (added.length) await this.realtime.toUsers(corpId, added, { kind: 'membership', conversationId, joined: true });
    if (removed.length) await this.realtime.toUsers(corpId, removed, { kind: 'membership', conversationId, joined: false });
    if (added.length || removed.length)
      await this.realtime.toConversation(corpId, { kind: 'conversation', conversationId, change: 'members', data: { added, removed } });
    if (unbound)
      await this.realtime.toConversation(corpId, { kind: 'conversation', conversationId, change: 'updated', data: { department: null } });
  }

  /** Groups bound to one of the departments, or with their subtree to one of their ancestors. */
  private async groupsContaining(tx: Tx, system: CallerIdentity, departmentIds: number[]): Promise<string[]> {
    if (departmentIds.length === 0) return [];
    const ancestors = new Set<number>(departmentIds);
    for (const id of departmentIds) (await this.directory.department(system, id))?.path.forEach((a) => ancestors.add(a));
    return this.groups.boundTo(tx, system.corpId, departmentIds, [...ancestors]);
  }
}

/** Messaging asking the directory on its own behalf (consumers and jobs have no end user). */
const systemCaller = (corpId: string): CallerIdentity => ({ corpId, userId: 'service:messaging', roles: [SERVICE_ROLE] });
