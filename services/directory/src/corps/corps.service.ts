import { Inject, Injectable } from '@nestjs/common';
import { CorpCreated } from '@atrium/contracts';
import {
  CallerIdentity,
  EVENT_BUS,
  EventBus,
  PLATFORM_ADMIN_ROLE,
  requireRole,
  SERVICE_ROLE,
  SUPER_ADMIN_ROLE,
  TRANSACTIONS,
  TransactionRunner,
  ValidationError,
} from '@atrium/platform';
import { AdminScopesRepository } from '../admin/admin-scopes.repository';
import { blankMember, Corp, Member } from '../members/member';
import { validatePassword, validateText, validateUserid } from '../members/member-rules';
import { MembersRepository } from '../members/members.repository';
import { PasswordHasher } from '../members/password-hasher';
import { MemberSearchService } from '../search/member-search.service';
import { CorpsRepository } from './corps.repository';

export interface CreateCorpInput {
  code: string;
  name: string;
  adminUserid: string;
  adminName: string;
  adminPassword: string;
}

const CORP_CODE = /^[a-z0-9][a-z0-9-]{1,31}$/;

@Injectable()
export class CorpsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly corps: CorpsRepository,
    private readonly members: MembersRepository,
    private readonly scopes: AdminScopesRepository,
    private readonly hasher: PasswordHasher,
    private readonly search: MemberSearchService,
  ) {}

  /** A corp is born with its root department (id 1) and a super admin who can log in. */
  async createCorp(caller: CallerIdentity, input: CreateCorpInput): Promise<{ corp: Corp; admin: Member }> {
    requireRole(caller, PLATFORM_ADMIN_ROLE);
    if (!CORP_CODE.test(input.code)) {
      throw new ValidationError('code must be 2-32 lowercase letters, digits or "-", starting with a letter or digit', { field: 'code' });
    }
    const name = validateText(input.name, 'name', 64, true);
    const adminUserid = validateUserid(input.adminUserid, 'adminUserid');
    const passwordHash = await this.hasher.hash(validatePassword(input.adminPassword));
    return this.transactions.run(async (tx) => {
      const corp = await this.corps.insert(tx, { code: input.code, name });
      await this.corps.insertRootDepartment(tx, corp.id, corp.name);
      const admin: Member = {
        ...blankMember(corp.id, adminUserid),
        name: input.adminName.trim() || adminUserid,
        roles: [SUPER_ADMIN_ROLE],
        departments: [{ departmentId: 1, isLeader: false, order: 0 }],
        mainDepartment: 1,
        passwordHash,
      };
      await this.members.insert(tx, admin);
      await this.search.indexMember(tx, admin);
      await this.scopes.upsert(tx, corp.id, { userid: admin.userid, role: 'super_admin', departmentIds: [], permissions: [] });
      await this.bus.publish(tx, CorpCreated, corp.id, { corpId: corp.id, code: corp.code, name: corp.name, adminUserId: admin.userid });
      return { corp, admin };
    });
  }

  /** The gateway learns every corp at start: the codes its WeCom API accepts as corpid. */
  async listCorps(caller: CallerIdentity): Promise<Corp[]> {
    requireRole(caller, SERVICE_ROLE);
    return this.transactions.run((tx) => this.corps.list(tx));
  }
}
