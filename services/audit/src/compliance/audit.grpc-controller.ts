import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { IntegrityService } from '../integrity/integrity.service';
import { PolicyService } from '../policy/policy.service';
import { toArchivedMessage, toCheckpoint, toOfficer, toVerifyResponse } from './audit.mapper';
import { OfficersService } from './officers.service';
import { SearchService } from './search.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

@Controller()
export class AuditGrpcController {
  constructor(
    private readonly officers: OfficersService,
    private readonly policies: PolicyService,
    private readonly search: SearchService,
    private readonly integrity: IntegrityService,
  ) {}

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

  @GrpcMethod(SERVICE, 'SetArchivePolicy')
  async setArchivePolicy(r: auditV1.SetArchivePolicyRequest): Promise<auditV1.SetArchivePolicyResponse> {
    const policy = r.policy ?? { archivingEnabled: true, retentionDays: 0 };
    return { policy: await this.policies.set(currentCaller(), policy) };
  }

  @GrpcMethod(SERVICE, 'GetArchivePolicy')
  async getArchivePolicy(): Promise<auditV1.GetArchivePolicyResponse> {
    return { policy: await this.policies.get(currentCaller()) };
  }

  @GrpcMethod(SERVICE, 'SearchArchive')
  async searchArchive(r: auditV1.SearchArchiveRequest): Promise<auditV1.SearchArchiveResponse> {
    const page = await this.search.searchMessages(currentCaller(), {
      conversationId: r.conversationId,
      participant: r.participant,
      from: r.fromTime,
      to: r.toTime,
      messageType: r.messageType,
      keyword: r.keyword,
      pageSize: r.pageSize,
      pageToken: r.pageToken,
    });
    return { messages: page.messages.map(toArchivedMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(SERVICE, 'VerifyArchive')
  async verifyArchive(): Promise<auditV1.VerifyArchiveResponse> {
    return toVerifyResponse(await this.integrity.verify(currentCaller()));
  }

  @GrpcMethod(SERVICE, 'CreateCheckpoint')
  async createCheckpoint(): Promise<auditV1.CreateCheckpointResponse> {
    const checkpoint = await this.integrity.checkpoint(currentCaller());
    return { checkpoint: checkpoint && toCheckpoint(checkpoint) };
  }

  @GrpcMethod(SERVICE, 'ExportCheckpoints')
  async exportCheckpoints(): Promise<auditV1.ExportCheckpointsResponse> {
    return { json: await this.integrity.exportCheckpoints(currentCaller()) };
  }

  @GrpcMethod(SERVICE, 'RotateArchiveKey')
  async rotateArchiveKey(): Promise<auditV1.RotateArchiveKeyResponse> {
    const rotated = await this.policies.rotateKey(currentCaller());
    return { kekVersion: rotated.kekVersion, rewrappedKeys: rotated.rewrapped };
  }
}
