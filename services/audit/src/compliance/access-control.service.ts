import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, DomainError, requireRole, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { OfficerGrant, OfficersRepository } from './officers.repository';

/** Who may read the archive: compliance officers granted in this database, nobody by a role claim alone. */
@Injectable()
export class AccessControl {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly officers: OfficersRepository,
  ) {}

  requireSuperAdmin(caller: CallerIdentity): void {
    requireRole(caller, SUPER_ADMIN_ROLE);
  }

  isSuperAdmin(caller: CallerIdentity): boolean {
    return Boolean(caller.corpId) && caller.roles.includes(SUPER_ADMIN_ROLE);
  }

  /** The caller's grant (with its department scope); FORBIDDEN for anyone else. */
  async requireOfficer(caller: CallerIdentity): Promise<OfficerGrant> {
    const grant = caller.corpId ? await this.officers.find(this.db, caller.corpId, caller.userId) : undefined;
    if (!grant) throw new DomainError('FORBIDDEN', 'only a compliance officer of the corp may read its archive');
    return grant;
  }

  /** The officer's grant, or undefined for a super admin (who is not limited to departments). */
  async requireOfficerOrSuperAdmin(caller: CallerIdentity): Promise<OfficerGrant | undefined> {
    if (this.isSuperAdmin(caller)) return undefined;
    return this.requireOfficer(caller);
  }
}
