import { Inject, Injectable } from '@nestjs/common';
import { MemberAuthenticated } from '@atrium/contracts';
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
} from '@atrium/platform';
import { CorpEntity } from '../corps/corp.entity';
import { CorpsRepository } from '../corps/corps.repository';
import { MemberEntity } from './member.entity';
import { MembersRepository } from './members.repository';
import { PasswordHasher } from './password-hasher';

export interface AuthenticateInput {
  corpCode: string;
  account: string;
  password: string;
  clientIp?: string;
}

@Injectable()
export class MembersService {
  private dummyHash?: Promise<string>;

  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly corps: CorpsRepository,
    private readonly members: MembersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * Checks a password. An unknown corp or account costs the same argon2 work as a wrong password
   * and fails with the same code, so responses do not reveal which accounts exist.
   */
  async authenticate(caller: CallerIdentity, input: AuthenticateInput): Promise<{ corp: CorpEntity; member: MemberEntity }> {
    requireRole(caller, SERVICE_ROLE);
    const corp = await this.corps.findByCode(this.transactions.manager, input.corpCode);
    const member = corp ? await this.members.findByUserid(this.transactions.manager, corp.id, input.account) : null;
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
    await this.transactions.run((tx) =>
      this.bus.publish(tx, MemberAuthenticated, corp.id, { corpId: corp.id, userId: member.userid, clientIp: input.clientIp || undefined }),
    );
    return { corp, member };
  }

  /** Reads a member of the caller's own corp; another corp's member is simply not found. */
  async getMember(caller: CallerIdentity, userid: string): Promise<MemberEntity> {
    const member = await this.members.findByUserid(this.transactions.manager, caller.corpId, userid);
    if (!member) throw new NotFoundError('member', { userid });
    return member;
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hasher.hash('not-a-real-password-but-the-same-cost');
    return this.dummyHash;
  }
}
