import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toConversationMessage, toMemberMessage } from './conversation.mapper';
import { ConversationsService } from './conversations.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class ConversationsGrpcController {
  constructor(private readonly conversations: ConversationsService) {}

  @GrpcMethod(SERVICE, 'CreateConversation')
  async createConversation(r: messagingV1.CreateConversationRequest): Promise<messagingV1.CreateConversationResponse> {
    const { conversation, created } = await this.conversations.create(currentCaller(), r);
    return { conversation: toConversationMessage(conversation), created };
  }

  @GrpcMethod(SERVICE, 'GetConversation')
  async getConversation(r: messagingV1.GetConversationRequest): Promise<messagingV1.GetConversationResponse> {
    return { conversation: toConversationMessage(await this.conversations.view(currentCaller(), r.id)) };
  }

  @GrpcMethod(SERVICE, 'ListConversations')
  async listConversations(r: messagingV1.ListConversationsRequest): Promise<messagingV1.ListConversationsResponse> {
    const page = await this.conversations.list(currentCaller(), r.pageSize, r.pageToken);
    return { conversations: page.conversations.map(toConversationMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(SERVICE, 'UpdateConversation')
  async updateConversation(r: messagingV1.UpdateConversationRequest): Promise<messagingV1.UpdateConversationResponse> {
    return { conversation: toConversationMessage(await this.conversations.update(currentCaller(), r.id, r)) };
  }

  @GrpcMethod(SERVICE, 'AddMembers')
  async addMembers(r: messagingV1.AddMembersRequest): Promise<messagingV1.AddMembersResponse> {
    return { added: await this.conversations.addMembers(currentCaller(), r.id, r.userids) };
  }

  @GrpcMethod(SERVICE, 'RemoveMembers')
  async removeMembers(r: messagingV1.RemoveMembersRequest): Promise<messagingV1.RemoveMembersResponse> {
    return { removed: await this.conversations.removeMembers(currentCaller(), r.id, r.userids) };
  }

  @GrpcMethod(SERVICE, 'ListMembers')
  async listMembers(r: messagingV1.ListMembersRequest): Promise<messagingV1.ListMembersResponse> {
    const page = await this.conversations.members(currentCaller(), r.id, r.pageSize, r.pageToken);
    return { members: page.members.map(toMemberMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(SERVICE, 'SetMemberRole')
  async setMemberRole(r: messagingV1.SetMemberRoleRequest): Promise<messagingV1.SetMemberRoleResponse> {
    await this.conversations.setRole(currentCaller(), r.id, r.userid, r.role);
    return {};
  }

  @GrpcMethod(SERVICE, 'MuteMember')
  async muteMember(r: messagingV1.MuteMemberRequest): Promise<messagingV1.MuteMemberResponse> {
    await this.conversations.muteMember(currentCaller(), r.id, r.userid, r.minutes);
    return {};
  }

  @GrpcMethod(SERVICE, 'TransferOwnership')
  async transferOwnership(r: messagingV1.TransferOwnershipRequest): Promise<messagingV1.TransferOwnershipResponse> {
    await this.conversations.transferOwnership(currentCaller(), r.id, r.newOwner);
    return {};
  }

  @GrpcMethod(SERVICE, 'DissolveConversation')
  async dissolveConversation(r: messagingV1.DissolveConversationRequest): Promise<messagingV1.DissolveConversationResponse> {
    await this.conversations.dissolve(currentCaller(), r.id);
    return {};
  }

  @GrpcMethod(SERVICE, 'SetConversationPreferences')
  async setConversationPreferences(
    r: messagingV1.SetConversationPreferencesRequest,
  ): Promise<messagingV1.SetConversationPreferencesResponse> {
    return {
      conversation: toConversationMessage(await this.conversations.setPreferences(currentCaller(), r.id, r.pinned, r.notificationsMuted)),
    };
  }
}
