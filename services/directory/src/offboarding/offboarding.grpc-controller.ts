import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toMemberMessage } from '../members/member.mapper';
import { OffboardingService } from './offboarding.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class OffboardingGrpcController {
  constructor(private readonly offboarding: OffboardingService) {}

  @GrpcMethod(SERVICE, 'OffboardMember')
  async offboardMember(r: directoryV1.OffboardMemberRequest): Promise<directoryV1.OffboardMemberResponse> {
    const { member, transfers } = await this.offboarding.offboard(currentCaller(), r.userid, r.successorUserid);
    return { member: toMemberMessage(member), transfers };
  }

  @GrpcMethod(SERVICE, 'ListTransferRecords')
  async listTransferRecords(r: directoryV1.ListTransferRecordsRequest): Promise<directoryV1.ListTransferRecordsResponse> {
    return { transfers: await this.offboarding.listTransfers(currentCaller(), r.userid) };
  }
}
