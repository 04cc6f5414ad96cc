import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';
import { UseridParam } from '../http/params';
import { toAdminScopeResponse } from './directory.mapper';
import { AdminScopeListResponse, AdminScopeResponse, SetAdminScopeRequest } from './dto/admin-scope.dto';

/** Who administers what (changes: super admins only). */
@AuthenticatedApi('directory', { notFound: false })
@Controller('api/v1/directory/admin-scopes')
export class AdminScopesHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Get()
  @ApiOkResponse({ type: AdminScopeListResponse })
  async list(): Promise<AdminScopeListResponse> {
    return {
      scopes: (await this.clients.directory.call('ListAdminScopes', (d, md) => d.listAdminScopes({}, md))).scopes.map(toAdminScopeResponse),
    };
  }

  @Put(':userid')
  @ApiOkResponse({ type: AdminScopeResponse })
  @ApiResponse({ status: 404, type: ErrorResponse })
  async set(@Param() { userid }: UseridParam, @Body() body: SetAdminScopeRequest): Promise<AdminScopeResponse> {
    const scope = { userid, role: body.role, departmentIds: body.departmentIds ?? [], permissions: body.permissions ?? [] };
    return toAdminScopeResponse((await this.clients.directory.call('SetAdminScope', (d, md) => d.setAdminScope({ scope }, md))).scope);
  }

  @Delete(':userid')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiResponse({ status: 412, type: ErrorResponse, description: 'PRECONDITION_FAILED: the last super admin' })
  async remove(@Param() { userid }: UseridParam): Promise<void> {
    await this.clients.directory.call('RemoveAdminScope', (d, md) => d.removeAdminScope({ userid }, md));
  }
}
