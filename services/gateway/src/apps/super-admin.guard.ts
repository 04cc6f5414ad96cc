import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError, SUPER_ADMIN_ROLE } from '@atrium/platform';
import { AuthenticatedRequest } from '../auth/authenticated.guard';
import { ServiceClients } from '../clients/service-clients';

const ROOT_DEPARTMENT_ID = 1;

/**
 * After AuthenticatedGuard: the token must carry `super_admin`, and the directory must still agree
 * (a super admin demoted since the token was issued is refused at once).
 */
@Injectable()
export class SuperAdminGuard implements CanActivate {
  constructor(private readonly clients: ServiceClients) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
    if (!caller) throw new DomainError('UNAUTHENTICATED', 'not authenticated');
    if (!caller.roles.includes(SUPER_ADMIN_ROLE)) throw new DomainError('FORBIDDEN', 'only a super admin may do this');
    const { allowed } = await this.clients.directory.call(
      'CheckAdminScope',
      (directory, metadata) =>
        directory.checkAdminScope({ userid: '', departmentIds: [ROOT_DEPARTMENT_ID], permission: 'manage_security' }, metadata),
      { corpId: caller.corpId, userId: caller.userId, roles: caller.roles },
    );
    if (!allowed) throw new DomainError('FORBIDDEN', 'only a super admin may do this');
    return true;
  }
}
