import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller, ValidationError } from '@atrium/platform';
import { AdminScope, Permission } from './admin-scope';
import { AdminScopesService } from './admin-scopes.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

const toMessage = (s: AdminScope): directoryV1.AdminScope => ({
  userid: s.userid,
  role: s.role,
  departmentIds: s.departmentIds,
  permissions: s.permissions,
});

@Controller()
export class AdminScopesGrpcController {
  constructor(private readonly scopes: AdminScopesService) {}

  @GrpcMethod(SERVICE, 'SetAdminScope')
  async setAdminScope(r: directoryV1.SetAdminScopeRequest): Promise<directoryV1.SetAdminScopeResponse> {
    if (!r.scope) throw new ValidationError('scope is required', { field: 'scope' });
    const scope = await this.scopes.setScope(currentCaller(), {
      userid: r.scope.userid,
      role: r.scope.role as AdminScope['role'],
      departmentIds: r.scope.departmentIds,
      permissions: r.scope.permissions as Permission[],
    });
    return { scope: toMessage(scope) };
  }

  @GrpcMethod(SERVICE, 'RemoveAdminScope')
  async removeAdminScope(r: directoryV1.RemoveAdminScopeRequest): Promise<directoryV1.RemoveAdminScopeResponse> {
    await this.scopes.removeScope(currentCaller(), r.userid);
    return {};
  }

  @GrpcMethod(SERVICE, 'ListAdminScopes')
  async listAdminScopes(): Promise<directoryV1.ListAdminScopesResponse> {
    return { scopes: (await this.scopes.list(currentCaller())).map(toMessage) };
  }
}
