import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toCheckpoint, toVerifyResponse } from '../compliance/audit.mapper';
import { IntegrityService } from './integrity.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

/** The archive's hash chain: verifying it, signed checkpoints. */
@Controller()
export class IntegrityGrpcController {
  constructor(private readonly integrity: IntegrityService) {}

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
}
