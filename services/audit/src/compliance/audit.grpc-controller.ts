import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { ExportsService } from '../exports/exports.service';
import { HoldsService } from '../holds/holds.service';
import { IntegrityService } from '../integrity/integrity.service';
import { PolicyService } from '../policy/policy.service';
import { PullService } from '../pull/pull.service';
import {
  toArchivedMessage,
  toArchiveExport,
  toCheckpoint,
  toFilterInput,
  toLegalHold,
  toOfficer,
  toPublicKey,
  toSearchFilterInput,
  toVerifyResponse,
} from './audit.mapper';
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
    private readonly exports: ExportsService,
    private readonly holds: HoldsService,
    private readonly pulls: PullService,
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
      ...toSearchFilterInput(r),
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

  @GrpcMethod(SERVICE, 'GetRecordContext')
  async getRecordContext(r: auditV1.GetRecordContextRequest): Promise<auditV1.GetRecordContextResponse> {
    const context = await this.search.context(currentCaller(), r.eventId, r.before ?? 10, r.after ?? 10);
    return {
      before: context.before.map(toArchivedMessage),
      record: toArchivedMessage(context.record),
      after: context.after.map(toArchivedMessage),
    };
  }

  @GrpcMethod(SERVICE, 'CreateArchiveExport')
  async createArchiveExport(r: auditV1.CreateArchiveExportRequest): Promise<auditV1.CreateArchiveExportResponse> {
    const created = await this.exports.create(currentCaller(), {
      filter: toFilterInput(r.filter),
      format: r.format,
      maxRecords: r.maxRecords,
    });
    return { export: toArchiveExport(created) };
  }

  @GrpcMethod(SERVICE, 'ReadArchiveExport')
  async readArchiveExport(r: auditV1.ReadArchiveExportRequest): Promise<auditV1.ReadArchiveExportResponse> {
    return this.exports.read(currentCaller(), r.exportId, r.chunkToken);
  }

  @GrpcMethod(SERVICE, 'ListArchiveExports')
  async listArchiveExports(): Promise<auditV1.ListArchiveExportsResponse> {
    return { exports: (await this.exports.list(currentCaller())).map(toArchiveExport) };
  }

  @GrpcMethod(SERVICE, 'TraceArchiveExport')
  async traceArchiveExport(r: auditV1.TraceArchiveExportRequest): Promise<auditV1.TraceArchiveExportResponse> {
    const traced = await this.exports.trace(currentCaller(), { text: r.text, mark: r.mark, seq: r.seq });
    return { export: traced.export && toArchiveExport(traced.export), matchedBy: traced.matchedBy };
  }

  @GrpcMethod(SERVICE, 'CreateLegalHold')
  async createLegalHold(r: auditV1.CreateLegalHoldRequest): Promise<auditV1.CreateLegalHoldResponse> {
    const hold = await this.holds.create(currentCaller(), {
      name: r.name,
      reason: r.reason,
      participants: r.participants,
      conversationIds: r.conversationIds,
      from: r.fromTime,
      to: r.toTime,
    });
    return { hold: toLegalHold(hold) };
  }

  @GrpcMethod(SERVICE, 'ListLegalHolds')
  async listLegalHolds(r: auditV1.ListLegalHoldsRequest): Promise<auditV1.ListLegalHoldsResponse> {
    return { holds: (await this.holds.list(currentCaller(), r.includeReleased)).map(toLegalHold) };
  }

  @GrpcMethod(SERVICE, 'ReleaseLegalHold')
  async releaseLegalHold(r: auditV1.ReleaseLegalHoldRequest): Promise<auditV1.ReleaseLegalHoldResponse> {
    return { hold: toLegalHold(await this.holds.release(currentCaller(), r.id)) };
  }

  @GrpcMethod(SERVICE, 'RegisterArchivePublicKey')
  async registerArchivePublicKey(r: auditV1.RegisterArchivePublicKeyRequest): Promise<auditV1.RegisterArchivePublicKeyResponse> {
    return { key: toPublicKey(await this.pulls.registerPublicKey(currentCaller(), r.publicKeyPem)) };
  }

  @GrpcMethod(SERVICE, 'ListArchivePublicKeys')
  async listArchivePublicKeys(): Promise<auditV1.ListArchivePublicKeysResponse> {
    return { keys: (await this.pulls.publicKeys(currentCaller())).map(toPublicKey) };
  }

  @GrpcMethod(SERVICE, 'RotatePullSecret')
  async rotatePullSecret(): Promise<auditV1.RotatePullSecretResponse> {
    return this.pulls.rotateSecret(currentCaller());
  }

  @GrpcMethod(SERVICE, 'IssuePullToken')
  async issuePullToken(r: auditV1.IssuePullTokenRequest): Promise<auditV1.IssuePullTokenResponse> {
    return this.pulls.issueToken(currentCaller(), r.secret);
  }

  @GrpcMethod(SERVICE, 'PullArchive')
  async pullArchive(r: auditV1.PullArchiveRequest): Promise<auditV1.PullArchiveResponse> {
    return this.pulls.pull(currentCaller(), { seq: r.seq, limit: r.limit, pullToken: r.pullToken });
  }
}
