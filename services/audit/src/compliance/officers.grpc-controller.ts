import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toOfficer } from './audit.mapper';
import { OfficersService } from './officers.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

/** Compliance officers: who may read the archive, and of which departments. */
@Controller()
export class OfficersGrpcController {
  constructor(private readonly officers: OfficersService) {}

  @GrpcMethod(SERVICE, 'GrantComplianceOfficer')
  async grantComplianceOfficer(r: auditV1.GrantComplianceOfficerRequest): Promise<auditV1.GrantComplianceOfficerResponse> {
    return { officer: toOfficer(await this.officers.grant(currentCaller(), r.userid, r.departmentIds)) };
  }

  @GrpcMethod(SERVICE, 'RevokeComplianceOfficer')
  async revokeComplianceOfficer(r: auditV1.RevokeComplianceOfficerRequest): Promise<auditV1.RevokeComplianceOfficerResponse> {
    return { revoked: await this.officers.revoke(currentCaller(), r.userid) };
  }

  @GrpcMethod(SERVICE, 'ListComplianceOfficers')
  async listComplianceOfficers(): Promise<auditV1.ListComplianceOfficersResponse> {
    return { officers: (await this.officers.list(currentCaller())).map(toOfficer) };
  }
}
