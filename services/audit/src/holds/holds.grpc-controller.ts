import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toLegalHold } from '../compliance/audit.mapper';
import { HoldsService } from './holds.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

/** Legal holds: records kept past retention. */
@Controller()
export class HoldsGrpcController {
  constructor(private readonly holds: HoldsService) {}

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
}
