import { Inject, Injectable } from '@nestjs/common';
import { CorpCreated } from '@atrium/contracts';
import {
  EVENT_BUS,
  EventBus,
  PLATFORM_ADMIN_ROLE,
  requireRole,
  SUPER_ADMIN_ROLE,
  TRANSACTIONS,
  TransactionRunner,
  ValidationError,
  CallerIdentity,
} from '@atrium/platform';
import { MemberEntity } from '../members/member.entity';
import { MembersRepository } from '../members/members.repository';
import { PasswordHasher } from '../members/password-hasher';
import { validateUserid } from '../members/member-rules';
import { CorpEntity } from './corp.entity';
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
    private readonly hasher: PasswordHasher,
  ) {}

  /** A corp is born with its root department (id 1) and a super admin who can log in. */
  async createCorp(caller: CallerIdentity, input: CreateCorpInput): Promise<{ corp: CorpEntity; admin: MemberEntity }> {
    requireRole(caller, PLATFORM_ADMIN_ROLE);
    if (!CORP_CODE.test(input.code)) {
      throw new ValidationError('code must be 2-32 lowercase letters, digits or "-", starting with a letter or digit', { field: 'code' });
    }
    if (input.name.trim().length < 1 || input.name.length > 64)
      throw new ValidationError('name must be 1-64 characters', { field: 'name' });
    validateUserid(input.adminUserid, 'adminUserid');
    if (input.adminPassword.length < 8 || input.adminPassword.length > 128) {
      throw new ValidationError('adminPassword must be 8-128 characters', { field: 'adminPassword' });
    }
    const passwordHash = await this.hasher.hash(input.adminPassword);
    return this.transactions.run(async (tx) => {
      const corp = await this.corps.insert(tx, { code: input.code, name: input.name.trim() });
      await this.corps.insertRootDepartment(tx, corp.id, corp.name);
      const admin = await this.members.insert(
        tx,
        Object.assign(new MemberEntity(), {
          corpId: corp.id,
          userid: input.adminUserid,
          name: input.adminName.trim() || input.adminUserid,
          passwordHash,
          status: 'active',
          roles: [SUPER_ADMIN_ROLE],
          mainDepartment: 1,
        }),
      );
      await this.bus.publish(tx, CorpCreated, corp.id, { corpId: corp.id, code: corp.code, name: corp.name, adminUserId: admin.userid });
      return { corp, admin };
    });
  }
}
