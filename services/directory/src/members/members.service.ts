import { Inject, Injectable } from '@nestjs/common';
import { MemberAuthenticated, MemberCreated, MemberDeleted, MemberDisabled, MemberEnabled, MemberUpdated } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  requireRole,
  SERVICE_ROLE,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { CorpsRepository } from '../corps/corps.repository';
import { Department } from '../departments/department';
import { DepartmentsRepository } from '../departments/departments.repository';
import { MemberSearchService } from '../search/member-search.service';
import { ExtAttrInput } from '../attributes/member-attribute';
import { MemberAttributesService } from '../attributes/member-attributes.service';
import { blankMember, Corp, Member, MemberDepartment } from './member';
import {
  MAX_DIRECT_LEADERS,
  validateEmail,
  validateGender,
  validateMemberDepartments,
  validateMobile,
  validatePassword,
  validateText,
  validateUserid,
} from './member-rules';
import { MembersRepository } from './members.repository';
import { PasswordHasher } from './password-hasher';

export interface AuthenticateInput {
  corpCode: string;
  account: string;
  password: string;
  clientIp?: string;
}

export interface MemberInput {
  userid: string;
  name: string;
  alias?: string;
  nameEn?: string;
  position?: string;
  mobile?: string;
  email?: string;
  telephone?: string;
  gender?: number;
  avatar?: string;
  employeeNo?: string;
  address?: string;
  /** Values of the corp's custom attributes (checked against its definitions). */
  extattrs?: ExtAttrInput[];
  departments: MemberDepartment[];
  mainDepartment?: number;
  directLeaders?: string[];
  password?: string;
  enabled?: boolean;
}

/** `enabled` changes the member's status (see MembersService.update). */
export type MemberPatch = Partial<Omit<MemberInput, 'userid'>>;

const PAGE_MAX = 1_000;

export const memberSnapshot = (m: Member) => ({
  userid: m.userid,
  name: m.name,
  status: m.status,
  departments: m.departments.map((d) => d.departmentId),
  mainDepartment: m.mainDepartment,
  directLeaders: m.directLeaders,
});

@Injectable()
export class MembersService {
  private dummyHash?: Promise<string>;

  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly corps: CorpsRepository,
    private readonly members: MembersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly scopes: AdminScopesService,
    private readonly hasher: PasswordHasher,
    private readonly search: MemberSearchService,
    private readonly attributes: MemberAttributesService,
  ) {}

  /**
   * Checks a password. An unknown corp or account costs the same argon2 work as a wrong password
   * and fails with the same code, so responses do not reveal which accounts exist.
   */
  async authenticate(caller: CallerIdentity, input: AuthenticateInput): Promise<{ corp: Corp; member: Member }> {
    requireRole(caller, SERVICE_ROLE);
    const tx = this.transactions.manager;
    const corp = await this.corps.findByCode(tx, input.corpCode);
    const member = corp ? await this.members.find(tx, corp.id, input.account) : undefined;
    const valid = await this.hasher.verify(member?.passwordHash ?? (await this.getDummyHash()), input.password);
    if (!corp || !member || !member.passwordHash || !valid) {
      throw new DomainError('INVALID_CREDENTIALS', 'wrong corp, account or password');
    }
    if (member.status !== 'active') {
      throw new DomainError(
        'ACCOUNT_DISABLED',
        member.status === 'offboarded' ? 'this account has left the corp' : 'this account is disabled',
      );
    }
    await this.transactions.run((t) =>
      this.bus.publish(t, MemberAuthenticated, corp.id, { corpId: corp.id, userId: member.userid, clientIp: input.clientIp || undefined }),
    );
    return { corp, member };
  }

  async create(caller: CallerIdentity, input: MemberInput): Promise<Member> {
    const userid = validateUserid(input.userid);
    const member = await this.normalise(
      { ...blankMember(caller.corpId, userid), status: input.enabled === false ? 'disabled' : 'active' },
      { ...input, name: input.name },
    );
    return this.transactions.run(async (tx) => {
      const departments = await this.requireDepartments(tx, caller.corpId, member.departments);
      await this.scopes.assertAllowed(tx, caller, 'manage_members', departments);
      await this.requireLeaders(tx, caller.corpId, member.userid, member.directLeaders);
      if (input.extattrs !== undefined) member.extattrs = await this.attributes.checkValues(tx, caller.corpId, input.extattrs);
      await this.members.insert(tx, member);
      await this.search.indexMember(tx, member);
      await this.bus.publish(tx, MemberCreated, caller.corpId, {
        corpId: caller.corpId,
        actor: caller.userId,
        member: memberSnapshot(member),
      });
      return member;
    });
  }

  /**
   * Changes the fields the patch names and, with `enabled`, the member's status: one transaction,
   * so a sync tool's "rename and disable" happens whole or not at all.
   */
  async update(caller: CallerIdentity, userid: string, patch: MemberPatch): Promise<Member> {
    const { enabled, ...fields } = patch;
    const statusOnly = enabled !== undefined && Object.values(fields).every((v) => v === undefined);
    return this.transactions.run(async (tx) => {
      const current = await this.requireMember(tx, caller.corpId, userid);
      if (current.status === 'offboarded')
        throw new DomainError('MEMBER_OFFBOARDED', `${current.userid} has been offboarded`, { userid: current.userid });
      const updated = statusOnly ? current : await this.updateFields(tx, caller, current, fields);
      return enabled === undefined ? updated : this.changeStatus(tx, caller, updated, enabled);
    });
  }

  async setEnabled(caller: CallerIdentity, userid: string, enabled: boolean): Promise<Member> {
    return this.transactions.run(async (tx) => this.changeStatus(tx, caller, await this.requireMember(tx, caller.corpId, userid), enabled));
  }

  private async updateFields(tx: Tx, caller: CallerIdentity, current: Member, patch: Omit<MemberPatch, 'enabled'>): Promise<Member> {
    const updated = await this.normalise(current, patch);
    const touched = await this.requireDepartments(tx, caller.corpId, [...current.departments, ...updated.departments]);
    await this.scopes.assertAllowed(tx, caller, 'manage_members', touched);
    if (patch.directLeaders !== undefined) await this.requireLeaders(tx, caller.corpId, updated.userid, updated.directLeaders);
    if (patch.extattrs !== undefined) updated.extattrs = await this.attributes.checkValues(tx, caller.corpId, patch.extattrs);
    await this.members.update(tx, updated);
    await this.search.indexMember(tx, updated);
    if (patch.departments !== undefined) await this.members.replaceDepartments(tx, caller.corpId, updated.userid, updated.departments);
    const changed = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined && k !== 'password');
    await this.bus.publish(tx, MemberUpdated, caller.corpId, {
      corpId: caller.corpId,
      actor: caller.userId,
      member: memberSnapshot(updated),
      changed,
    });
    return updated;
  }

  private async changeStatus(tx: Tx, caller: CallerIdentity, member: Member, enabled: boolean): Promise<Member> {
    await this.scopes.assertAllowed(tx, caller, 'manage_members', await this.requireDepartments(tx, caller.corpId, member.departments));
    if (member.status === 'offboarded')
      throw new DomainError('MEMBER_OFFBOARDED', `${member.userid} has been offboarded and cannot be re-enabled`, {
        userid: member.userid,
      });
    const status = enabled ? 'active' : 'disabled';
    if (member.status === status) return member;
    const updated: Member = { ...member, status };
    await this.members.update(tx, updated);
    const event = { corpId: caller.corpId, actor: caller.userId, userid: member.userid };
    if (enabled) await this.bus.publish(tx, MemberEnabled, caller.corpId, event);
    else await this.bus.publish(tx, MemberDisabled, caller.corpId, event);
    return updated;
  }

  async delete(caller: CallerIdentity, userids: string[]): Promise<number> {
    if (userids.length === 0 || userids.length > 200) throw new ValidationError('useridlist holds 1-200 userids', { field: 'userids' });
    return this.transactions.run(async (tx) => {
      const found = await this.members.findMany(tx, caller.corpId, userids);
      const missing = userids.map((u) => u.toLowerCase()).find((u) => !found.some((m) => m.userid === u));
      if (missing) throw new NotFoundError(`member ${missing}`, { userid: missing });
      const departmentIds = [...new Set(found.flatMap((m) => m.departments.map((d) => d.departmentId)))];
      await this.scopes.assertAllowed(tx, caller, 'manage_members', await this.departments.findMany(tx, caller.corpId, departmentIds));
      if (found.some((m) => m.userid === caller.userId.toLowerCase()))
        throw new DomainError('PRECONDITION_FAILED', 'you cannot delete yourself');
      const deleted = await this.members.delete(
        tx,
        caller.corpId,
        found.map((m) => m.userid),
      );
      for (const userid of deleted)
        await this.bus.publish(tx, MemberDeleted, caller.corpId, { corpId: caller.corpId, actor: caller.userId, userid });
      return deleted.length;
    });
  }

  /** Reads a member of the caller's own corp; another corp's member is simply not found. */
  async get(caller: CallerIdentity, userid: string): Promise<Member> {
    return this.requireMember(this.transactions.manager, caller.corpId, userid);
  }

  async batchGet(caller: CallerIdentity, userids: string[]): Promise<{ members: Member[]; notFound: string[] }> {
    if (userids.length > PAGE_MAX) throw new ValidationError(`at most ${PAGE_MAX} userids per call`, { field: 'userids' });
    const members = await this.members.findMany(this.transactions.manager, caller.corpId, userids);
    const found = new Set(members.map((m) => m.userid));
    return { members, notFound: userids.filter((u) => !found.has(u.toLowerCase())) };
  }

  async list(
    caller: CallerIdentity,
    departmentId: number,
    recursive: boolean,
    pageSize: number,
    pageToken: string,
  ): Promise<{ members: Member[]; nextPageToken: string }> {
    const size = pageSize <= 0 ? 100 : Math.min(pageSize, PAGE_MAX);
    const tx = this.transactions.manager;
    if (!(await this.departments.find(tx, caller.corpId, departmentId)))
      throw new NotFoundError(`department ${departmentId}`, { departmentId });
    const after = pageToken ? Buffer.from(pageToken, 'base64url').toString('utf8') : '';
    const members = await this.members.listByDepartment(tx, caller.corpId, departmentId, recursive, after, size + 1);
    const page = members.slice(0, size);
    return { members: page, nextPageToken: members.length > size ? Buffer.from(page[page.length - 1].userid).toString('base64url') : '' };
  }

  private async normalise(base: Member, input: MemberPatch & { name?: string }): Promise<Member> {
    const merged: Member = {
      ...base,
      name: input.name === undefined ? base.name : validateText(input.name, 'name', 64, true),
      alias: input.alias === undefined ? base.alias : validateText(input.alias, 'alias', 64),
      nameEn: input.nameEn === undefined ? base.nameEn : validateText(input.nameEn, 'name_en', 64),
      position: input.position === undefined ? base.position : validateText(input.position, 'position', 128),
      mobile: input.mobile === undefined ? base.mobile : validateMobile(input.mobile),
      email: input.email === undefined ? base.email : validateEmail(input.email),
      telephone: input.telephone === undefined ? base.telephone : validateText(input.telephone, 'telephone', 32),
      gender: input.gender === undefined ? base.gender : validateGender(input.gender),
      avatar: input.avatar === undefined ? base.avatar : validateText(input.avatar, 'avatar', 1024),
      employeeNo: input.employeeNo === undefined ? base.employeeNo : validateText(input.employeeNo, 'employee_no', 64),
      address: input.address === undefined ? base.address : validateText(input.address, 'address', 128),
      directLeaders:
        input.directLeaders === undefined
          ? base.directLeaders
          : [...new Set(input.directLeaders.map((l) => validateUserid(l, 'direct_leader')))],
      passwordHash: input.password === undefined ? base.passwordHash : await this.hasher.hash(validatePassword(input.password)),
    };
    if (!merged.name) throw new ValidationError('name is required', { field: 'name' });
    if (!merged.mobile && !merged.email) throw new ValidationError('a member needs a mobile or an email', { field: 'mobile' });
    if (merged.directLeaders.length > MAX_DIRECT_LEADERS)
      throw new ValidationError(`at most ${MAX_DIRECT_LEADERS} direct leaders`, { field: 'direct_leader' });
    const departments = input.departments === undefined ? base.departments : input.departments;
    const mainDepartment = input.mainDepartment ?? (input.departments === undefined ? base.mainDepartment : 0);
    return { ...merged, ...validateMemberDepartments(departments, mainDepartment) };
  }

  private async requireMember(tx: Tx, corpId: string, userid: string): Promise<Member> {
    const member = await this.members.find(tx, corpId, userid);
    if (!member) throw new NotFoundError(`member ${userid}`, { userid });
    return member;
  }

  private async requireDepartments(tx: Tx, corpId: string, memberships: MemberDepartment[]): Promise<Department[]> {
    const ids = [...new Set(memberships.map((d) => d.departmentId))];
    const found = await this.departments.findMany(tx, corpId, ids);
    const missing = ids.find((id) => !found.some((d) => d.id === id));
    if (missing !== undefined) throw new NotFoundError(`department ${missing}`, { field: 'department', departmentId: missing });
    return found;
  }

  private async requireLeaders(tx: Tx, corpId: string, userid: string, leaders: string[]): Promise<void> {
    if (leaders.includes(userid)) throw new ValidationError('a member cannot be their own direct leader', { field: 'direct_leader' });
    const existing = await this.members.existing(tx, corpId, leaders);
    const missing = leaders.find((l) => !existing.has(l));
    if (missing) throw new NotFoundError(`member ${missing}`, { field: 'direct_leader', userid: missing });
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hasher.hash('not-a-real-password-but-the-same-cost');
    return this.dummyHash;
  }
}
