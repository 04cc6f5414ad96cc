import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { MembersService } from './members.service';
import { toCorpMessage, toMemberMessage } from './member.mapper';

@Controller()
export class MembersGrpcController {
  constructor(private readonly members: MembersService) {}

  @GrpcMethod(directoryV1.DIRECTORY_SERVICE_NAME, 'AuthenticateMember')
  async authenticateMember(request: directoryV1.AuthenticateMemberRequest): Promise<directoryV1.AuthenticateMemberResponse> {
    const { corp, member } = await this.members.authenticate(currentCaller(), request);
    return { corp: toCorpMessage(corp), member: toMemberMessage(member) };
  }

  @GrpcMethod(directoryV1.DIRECTORY_SERVICE_NAME, 'GetMember')
  async getMember(request: directoryV1.GetMemberRequest): Promise<directoryV1.GetMemberResponse> {
    return { member: toMemberMessage(await this.members.getMember(currentCaller(), request.userid)) };
  }
}
