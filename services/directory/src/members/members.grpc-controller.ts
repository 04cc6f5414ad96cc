import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { fromMemberInput, fromMemberPatch, toCorpMessage, toMemberMessage } from './member.mapper';
import { MembersService } from './members.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class MembersGrpcController {
  constructor(private readonly members: MembersService) {}

  @GrpcMethod(SERVICE, 'AuthenticateMember')
  async authenticateMember(r: directoryV1.AuthenticateMemberRequest): Promise<directoryV1.AuthenticateMemberResponse> {
    const { corp, member } = await this.members.authenticate(currentCaller(), r);
    return { corp: toCorpMessage(corp), member: toMemberMessage(member) };
  }

  @GrpcMethod(SERVICE, 'CreateMember')
  async createMember(r: directoryV1.CreateMemberRequest): Promise<directoryV1.CreateMemberResponse> {
    return {
      member: toMemberMessage(await this.members.create(currentCaller(), fromMemberInput(r.member ?? ({} as directoryV1.MemberInput)))),
    };
  }

  @GrpcMethod(SERVICE, 'UpdateMember')
  async updateMember(r: directoryV1.UpdateMemberRequest): Promise<directoryV1.UpdateMemberResponse> {
    return { member: toMemberMessage(await this.members.update(currentCaller(), r.userid, fromMemberPatch(r.patch ?? {}))) };
  }

  @GrpcMethod(SERVICE, 'GetMember')
  async getMember(r: directoryV1.GetMemberRequest): Promise<directoryV1.GetMemberResponse> {
    return { member: toMemberMessage(await this.members.get(currentCaller(), r.userid)) };
  }

  @GrpcMethod(SERVICE, 'BatchGetMembers')
  async batchGetMembers(r: directoryV1.BatchGetMembersRequest): Promise<directoryV1.BatchGetMembersResponse> {
    const { members, notFound } = await this.members.batchGet(currentCaller(), r.userids);
    return { members: members.map(toMemberMessage), notFound };
  }

  @GrpcMethod(SERVICE, 'DeleteMembers')
  async deleteMembers(r: directoryV1.DeleteMembersRequest): Promise<directoryV1.DeleteMembersResponse> {
    return { deleted: await this.members.delete(currentCaller(), r.userids) };
  }

  @GrpcMethod(SERVICE, 'ListMembers')
  async listMembers(r: directoryV1.ListMembersRequest): Promise<directoryV1.ListMembersResponse> {
    const page = await this.members.list(currentCaller(), r.departmentId, r.recursive, r.pageSize, r.pageToken);
    return { members: page.members.map(toMemberMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(SERVICE, 'SetMemberEnabled')
  async setMemberEnabled(r: directoryV1.SetMemberEnabledRequest): Promise<directoryV1.SetMemberEnabledResponse> {
    return { member: toMemberMessage(await this.members.setEnabled(currentCaller(), r.userid, r.enabled)) };
  }
}
