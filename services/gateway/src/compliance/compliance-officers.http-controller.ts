import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { DomainError } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { UseridParam } from '../http/params';
import { toOfficerResponse } from './compliance.mapper';
import { GrantOfficerRequest, OfficerListResponse, OfficerResponse } from './dto/compliance.dto';

/** Compliance officers (会话存档 reviewers): granted and revoked by a super admin, listed by officers too. */
@AuthenticatedApi('compliance', {
  forbidden: 'FORBIDDEN: changes need a super admin; the list, a super admin or an officer',
  notFound: 'NOT_FOUND: not an officer',
})
@Controller('api/v1/compliance/officers')
export class ComplianceOfficersHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Get()
  @ApiOkResponse({ type: OfficerListResponse })
  async list(): Promise<OfficerListResponse> {
    const { officers } = await this.clients.audit.call('ListComplianceOfficers', (a, md) => a.listComplianceOfficers({}, md));
    return { officers: officers.map(toOfficerResponse) };
  }

  /** Grants (or re-scopes) an officer; archived as an admin action. */
  @Put(':userid')
  @ApiOkResponse({ type: OfficerResponse })
  async grant(@Param() { userid }: UseridParam, @Body() body: GrantOfficerRequest): Promise<OfficerResponse> {
    const request = { userid: userid.toLowerCase(), departmentIds: body.departmentIds ?? [] };
    // Only a member of the caller's corp can be its officer: the archive keeps grants by userid
    // alone, so a grant to a stranger (another corp's userid) would wait for whoever takes that
    // userid later. The directory answers NOT_FOUND for anyone outside the corp.
    await this.clients.directory.call('GetMember', (d, md) => d.getMember({ userid: request.userid }, md));
    const { officer } = await this.clients.audit.call('GrantComplianceOfficer', (a, md) => a.grantComplianceOfficer(request, md));
    return toOfficerResponse(officer);
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
