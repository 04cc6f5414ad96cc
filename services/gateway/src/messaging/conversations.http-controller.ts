import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import {
  ConversationIdParam,
  ConversationMemberParam,
  CreateConversationRequest,
  MembersRequest,
  MuteRequest,
  PageQuery,
  PreferencesRequest,
  SetRoleRequest,
  TransferOwnershipRequest,
  UpdateConversationRequest,
} from './dto/conversation.dto';

/** Conversations as the signed-in member sees them; one line per handler, messaging decides. */
@AuthenticatedApi('messaging', {
  forbidden: 'FORBIDDEN: your role in the group does not allow it',
  notFound: 'not a conversation of yours',
})
@Controller('api/v1/conversations')
export class ConversationsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post()
  create(@Body() b: CreateConversationRequest) {
    const request = {
      kind: b.kind,
      name: b.name ?? '',
      members: b.members,
      adminOnly: b.adminOnly ?? false,
      whoMayAdd: b.whoMayAdd ?? 'all',
    };
    return this.clients.messaging.call('CreateConversation', (m, md) => m.createConversation(request, md));
  }

  @Get()
  list(@Query() q: PageQuery) {
    return this.clients.messaging.call('ListConversations', (m, md) =>
      m.listConversations({ pageSize: q.pageSize ?? 50, pageToken: q.pageToken ?? '' }, md),
    );
  }

  @Get(':id')
  get(@Param() { id }: ConversationIdParam) {
    return this.clients.messaging.call('GetConversation', (m, md) => m.getConversation({ id }, md));
  }

  @Patch(':id')
  update(@Param() { id }: ConversationIdParam, @Body() b: UpdateConversationRequest) {
    return this.clients.messaging.call('UpdateConversation', (m, md) => m.updateConversation({ id, ...b }, md));
  }

  @Get(':id/members')
  members(@Param() { id }: ConversationIdParam, @Query() q: PageQuery) {
    return this.clients.messaging.call('ListMembers', (m, md) =>
      m.listMembers({ id, pageSize: q.pageSize ?? 500, pageToken: q.pageToken ?? '' }, md),
    );
  }

  @Post(':id/members')
  addMembers(@Param() { id }: ConversationIdParam, @Body() b: MembersRequest) {
    return this.clients.messaging.call('AddMembers', (m, md) => m.addMembers({ id, userids: b.userids }, md));
  }

  // The colon is escaped: unescaped, path-to-regexp reads `:remove` as a second route parameter.
  @Post(':id/members\\:remove')
  @HttpCode(200)
  removeMembers(@Param() { id }: ConversationIdParam, @Body() b: MembersRequest) {
    return this.clients.messaging.call('RemoveMembers', (m, md) => m.removeMembers({ id, userids: b.userids }, md));
  }

  @Put(':id/members/:userid/role')
  async setRole(@Param() { id, userid }: ConversationMemberParam, @Body() b: SetRoleRequest) {
    await this.clients.messaging.call('SetMemberRole', (m, md) => m.setMemberRole({ id, userid, role: b.role }, md));
    return { ok: true };
  }

  @Put(':id/members/:userid/mute')
  async mute(@Param() { id, userid }: ConversationMemberParam, @Body() b: MuteRequest) {
    await this.clients.messaging.call('MuteMember', (m, md) => m.muteMember({ id, userid, minutes: b.minutes }, md));
    return { ok: true };
  }

  @Post(':id/transfer')
  @HttpCode(200)
  async transfer(@Param() { id }: ConversationIdParam, @Body() b: TransferOwnershipRequest) {
    await this.clients.messaging.call('TransferOwnership', (m, md) => m.transferOwnership({ id, newOwner: b.newOwner }, md));
    return { ok: true };
  }

  @Delete(':id')
  @HttpCode(204)
  async dissolve(@Param() { id }: ConversationIdParam): Promise<void> {
    await this.clients.messaging.call('DissolveConversation', (m, md) => m.dissolveConversation({ id }, md));
  }

  @Put(':id/preferences')
  preferences(@Param() { id }: ConversationIdParam, @Body() b: PreferencesRequest) {
    return this.clients.messaging.call('SetConversationPreferences', (m, md) => m.setConversationPreferences({ id, ...b }, md));
  }
}
