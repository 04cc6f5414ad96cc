import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DomainError, NotFoundError, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { DepartmentsRepository } from '../departments/departments.repository';
import { validateEmail, validateMobile, validateText } from '../members/member-rules';
import { MembersRepository } from '../members/members.repository';
import { ExternalContact, ExternalContactsRepository } from './external-contacts.repository';

/** The customers a member owns; offboarding hands them to the successor. */
@Injectable()
export class ExternalContactsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly contacts: ExternalContactsRepository,
    private readonly members: MembersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly scopes: AdminScopesService,
  ) {}

  async create(caller: CallerIdentity, input: Omit<ExternalContact, 'id'>): Promise<ExternalContact> {
    const owner = (input.ownerUserid || caller.userId).toLowerCase();
    const contact = {
      ownerUserid: owner,
      name: validateText(input.name, 'name', 64, true),
      company: validateText(input.company, 'company', 128),
      mobile: validateMobile(input.mobile),
      email: validateEmail(input.email),
      notes: validateText(input.notes, 'notes', 1024),
      tags: input.tags.map((t, i) => validateText(t, `tags[${i}]`, 32, true)),
    };
    return this.transactions.run(async (tx) => {
      await this.assertMayManage(tx, caller, owner);
      return this.contacts.insert(tx, caller.corpId, contact);
    });
  }

  async list(caller: CallerIdentity, ownerUserid: string): Promise<ExternalContact[]> {
    const owner = (ownerUserid || caller.userId).toLowerCase();
    await this.assertMayManage(this.transactions.manager, caller, owner, 'view');
    return this.contacts.listByOwner(this.transactions.manager, caller.corpId, owner);
  }

  /** A member manages their own customers; an admin those of members in scope. */
  private async assertMayManage(
    tx: Parameters<ExternalContactsRepository['insert']>[0],
    caller: CallerIdentity,
    owner: string,
    permission: 'manage_members' | 'view' = 'manage_members',
  ): Promise<void> {
    const member = await this.members.find(tx, caller.corpId, owner);
    if (!member) throw new NotFoundError(`member ${owner}`, { userid: owner });
    if (member.status === 'offboarded') throw new DomainError('MEMBER_OFFBOARDED', `${owner} has been offboarded`, { userid: owner });
    if (owner === caller.userId.toLowerCase()) return;
    const departments = await this.departments.findMany(
      tx,
      caller.corpId,
      member.departments.map((d) => d.departmentId),
    );
    await this.scopes.assertAllowed(tx, caller, permission, departments);
  }
}
