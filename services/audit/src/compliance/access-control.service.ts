import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, DomainError, requireRole, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { OfficersRepository } from './officers.repository';

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

  async requireOfficer(caller: CallerIdentity): Promise<void> {
    if (!caller.corpId || !(await this.officers.find(this.db, caller.corpId, caller.userId))) {
      throw new DomainError('FORBIDDEN', 'only a compliance officer of the corp may read its archive');
    }
  }

  async requireOfficerOrSuperAdmin(caller: CallerIdentity): Promise<void> {
    if (caller.corpId && caller.roles.includes(SUPER_ADMIN_ROLE)) return;
    await this.requireOfficer(caller);
  }
}
