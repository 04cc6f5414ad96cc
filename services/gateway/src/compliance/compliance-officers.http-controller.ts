import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { DomainError } from '@atrium/platform';
import { AccessTokenClaims } from '../auth/access-tokens';
import { Caller } from '../auth/caller.decorator';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { UseridParam } from '../http/params';
import { ComplianceOfficersService } from './compliance-officers.service';
import { toOfficerResponse } from './compliance.mapper';
import { GrantOfficerRequest, OfficerListResponse, OfficerResponse } from './dto/compliance.dto';

/** Compliance officers (会话存档 reviewers): granted and revoked by a super admin, listed by officers too. */
@AuthenticatedApi('compliance', {
  forbidden: 'FORBIDDEN: changes need a super admin; the list, a super admin or an officer',
  notFound: 'NOT_FOUND: not an officer (revoke), or no such member (grant)',
})
@Controller('api/v1/compliance/officers')
export class ComplianceOfficersHttpController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly officers: ComplianceOfficersService,
  ) {}

  @Get()
  @ApiOkResponse({ type: OfficerListResponse })
  async list(): Promise<OfficerListResponse> {
    const { officers } = await this.clients.audit.call('ListComplianceOfficers', (a, md) => a.listComplianceOfficers({}, md));
    return { officers: officers.map(toOfficerResponse) };
  }

  /** Grants (or re-scopes) an officer, an active member of the corp (400 MEMBER_NOT_ACTIVE otherwise); archived as an admin action. */
  @Put(':userid')
  @ApiOkResponse({ type: OfficerResponse })
  async grant(
    @Caller() caller: AccessTokenClaims,
    @Param() { userid }: UseridParam,
    @Body() body: GrantOfficerRequest,
  ): Promise<OfficerResponse> {
    return toOfficerResponse(await this.officers.grant(caller, userid.toLowerCase(), body.departmentIds ?? []));
  }

  @Delete(':userid')
  @HttpCode(204)
  @ApiNoContentResponse()
  async revoke(@Param() { userid }: UseridParam): Promise<void> {
    const { revoked } = await this.clients.audit.call('RevokeComplianceOfficer', (a, md) =>
      a.revokeComplianceOfficer({ userid: userid.toLowerCase() }, md),
    );
    if (!revoked) throw new DomainError('NOT_FOUND', 'not a compliance officer', { userid });
  }
}
