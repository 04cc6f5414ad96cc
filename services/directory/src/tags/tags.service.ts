import { Inject, Injectable } from '@nestjs/common';
import { TagChanged } from '@atrium/contracts';
import { CallerIdentity, EVENT_BUS, EventBus, NotFoundError, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { DepartmentsRepository } from '../departments/departments.repository';
import { validateText } from '../members/member-rules';
import { MembersRepository } from '../members/members.repository';
import { Tag, TagsRepository } from './tags.repository';

/** Named sets of members and departments, used to address messages and grant permissions. */
@Injectable()
export class TagsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly tags: TagsRepository,
    private readonly members: MembersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly scopes: AdminScopesService,
  ) {}

  async create(caller: CallerIdentity, name: string, id?: number): Promise<Tag> {
    const clean = validateText(name, 'name', 32, true);
    if (id !== undefined && (!Number.isInteger(id) || id < 1)) throw new ValidationError('id must be a positive integer', { field: 'id' });
    return this.transactions.run(async (tx) => {
      await this.scopes.assertSuperAdmin(tx, caller);
      const tagId = await this.tags.insert(tx, caller.corpId, id, clean);
      const tag: Tag = { id: tagId, name: clean, userids: [], departmentIds: [] };
      await this.bus.publish(tx, TagChanged, caller.corpId, { corpId: caller.corpId, actor: caller.userId, tag });
      return tag;
    });
  }

  async setTargets(caller: CallerIdentity, id: number, userids: string[], departmentIds: number[]): Promise<Tag> {
    if (userids.some((u) => u.trim() === '')) throw new ValidationError('userids must not contain an empty userid', { field: 'userids' });
    const users = [...new Set(userids.map((u) => u.toLowerCase()))];
    const departments = [...new Set(departmentIds)];
    return this.transactions.run(async (tx) => {
      await this.scopes.assertSuperAdmin(tx, caller);
      const tag = await this.tags.find(tx, caller.corpId, id);
      if (!tag) throw new NotFoundError(`tag ${id}`, { tagId: id });
      const existing = await this.members.existing(tx, caller.corpId, users);
      const missingUser = users.find((u) => !existing.has(u));
      if (missingUser !== undefined) throw new NotFoundError(`member ${missingUser}`, { userid: missingUser });
      const found = await this.departments.findMany(tx, caller.corpId, departments);
      const missingDepartment = departments.find((d) => !found.some((f) => f.id === d));
      if (missingDepartment !== undefined) throw new NotFoundError(`department ${missingDepartment}`, { departmentId: missingDepartment });
      await this.tags.replaceTargets(tx, caller.corpId, id, users, departments);
      const updated: Tag = { ...tag, userids: users.sort(), departmentIds: departments.sort((a, b) => a - b) };
      await this.bus.publish(tx, TagChanged, caller.corpId, { corpId: caller.corpId, actor: caller.userId, tag: updated });
      return updated;
    });
  }

  list(caller: CallerIdentity): Promise<Tag[]> {
    return this.tags.list(this.transactions.manager, caller.corpId);
  }
}
