import { Inject, Injectable } from '@nestjs/common';
import { EventOf, MemberOffboarded, RESOURCE_TRANSFER_EVENTS } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { AdminScopesRepository } from '../admin/admin-scopes.repository';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { ExternalContactsRepository } from '../contacts/external-contacts.repository';
import { DepartmentsRepository } from '../departments/departments.repository';
import { Member } from '../members/member';
import { MembersRepository } from '../members/members.repository';
import { MemberSearchService } from '../search/member-search.service';
import { TransferRecord, TransferRecordsRepository } from './transfer-records.repository';

// Resources other services own: their records stay pending until those services report back.
const REMOTE_RESOURCES = ['groups', 'approvals', 'report_reviews'] as const;

/**
 * 离职: one call freezes the member at once and hands what they own to a successor. What the
 * directory owns moves in the same transaction; the event tells every other service to move
 * theirs, and their reports update the transfer records admins watch.
 */
@Injectable()
export class OffboardingService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly members: MembersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly contacts: ExternalContactsRepository,
    private readonly records: TransferRecordsRepository,
    private readonly scopes: AdminScopesService,
    private readonly scopesRepository: AdminScopesRepository,
    private readonly search: MemberSearchService,
  ) {}

  async offboard(
    caller: CallerIdentity,
    userid: string,
    successorUserid: string,
  ): Promise<{ member: Member; transfers: TransferRecord[] }> {
    if (!successorUserid) throw new ValidationError('a successor is required', { field: 'successor_userid' });
    if (userid.toLowerCase() === successorUserid.toLowerCase())
      throw new ValidationError('the successor must be another member', { field: 'successor_userid' });
    return this.transactions.run(async (tx) => {
      const member = await this.members.find(tx, caller.corpId, userid);
      if (!member) throw new NotFoundError(`member ${userid}`, { userid });
      if (member.status === 'offboarded')
        throw new DomainError('MEMBER_OFFBOARDED', `${member.userid} has already been offboarded`, { userid: member.userid });
      const successor = await this.members.find(tx, caller.corpId, successorUserid);
      if (!successor) throw new NotFoundError(`member ${successorUserid}`, { field: 'successor_userid', userid: successorUserid });
      if (successor.status !== 'active')
        throw new DomainError('PRECONDITION_FAILED', `the successor ${successor.userid} is not active`, { userid: successor.userid });
      const departments = await this.departments.findMany(
        tx,
        caller.corpId,
        member.departments.map((d) => d.departmentId),
      );
      await this.scopes.assertAllowed(tx, caller, 'manage_members', departments);
      if (member.userid === caller.userId.toLowerCase()) throw new DomainError('PRECONDITION_FAILED', 'you cannot offboard yourself');

      const frozen: Member = { ...member, status: 'offboarded', passwordHash: null };
      await this.members.update(tx, frozen);
      await this.search.indexMember(tx, frozen);
      await this.scopesRepository.remove(tx, caller.corpId, member.userid);
      const local = {
        external_contacts: await this.contacts.transferOwnership(tx, caller.corpId, member.userid, successor.userid),
        department_heads: await this.records.transferDepartmentHeads(tx, caller.corpId, member.userid, successor.userid),
        direct_reports: await this.members.replaceDirectLeader(tx, caller.corpId, member.userid, successor.userid),
      };
      for (const [resourceType, transferred] of Object.entries(local)) {
        await this.records.upsert(tx, caller.corpId, {
          userid: member.userid,
          successorUserid: successor.userid,
          resourceType,
          status: 'done',
          transferred,
          detail: '',
        });
      }
      for (const resourceType of REMOTE_RESOURCES) {
        await this.records.upsert(tx, caller.corpId, {
          userid: member.userid,
          successorUserid: successor.userid,
          resourceType,
          status: 'pending',
          transferred: 0,
          detail: 'waiting for the owning service',
        });
      }
      await this.bus.publish(tx, MemberOffboarded, caller.corpId, {
        corpId: caller.corpId,
        actor: caller.userId,
        userid: member.userid,
        successorUserid: successor.userid,
      });
      return { member: frozen, transfers: await this.records.list(tx, caller.corpId, member.userid) };
    });
  }

  async listTransfers(caller: CallerIdentity, userid: string): Promise<TransferRecord[]> {
    const tx = this.transactions.manager;
    const member = await this.members.find(tx, caller.corpId, userid);
    if (!member) throw new NotFoundError(`member ${userid}`, { userid });
    await this.scopes.assertAllowed(
      tx,
      caller,
      'view',
      await this.departments.findMany(
        tx,
        caller.corpId,
        member.departments.map((d) => d.departmentId),
      ),
    );
    return this.records.list(tx, caller.corpId, member.userid);
  }

  /** A service's report on its part of a transfer (consumed from its topic). */
  async recordRemoteTransfer(tx: Tx, event: EventOf<(typeof RESOURCE_TRANSFER_EVENTS)[number]>): Promise<void> {
    const { payload } = event;
    await this.records.upsert(tx, event.corpId, {
      userid: payload.userid,
      successorUserid: payload.successorUserid,
      resourceType: payload.resourceType,
      status: payload.status,
      transferred: payload.transferred,
      detail: payload.detail,
    });
  }
}
