import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';
import { UseridParam } from '../http/params';
import { toListMembers, toMemberAttributeResponse, toMemberInput, toMemberPatch, toMemberResponse } from './directory.mapper';
import {
  CreateMemberAttributeRequest,
  DeleteMemberAttributeResponse,
  MemberAttributeListResponse,
  MemberAttributeNameParam,
  MemberAttributeResponse,
  UpdateMemberAttributeRequest,
} from './dto/member-attribute.dto';
import {
  CreateMemberRequest,
  ListMembersQuery,
  ManagerChainQuery,
  ManagerChainResponse,
  MemberPageResponse,
  MemberResponse,
  OffboardMemberRequest,
  OffboardMemberResponse,
  SearchMembersQuery,
  SearchMembersResponse,
  TransferRecordListResponse,
  UpdateMemberRequest,
} from './dto/member.dto';

/**
 * Members (the electronic badge) and the corp's custom member attributes, as the signed-in member;
 * writes need an admin scope (attribute definitions: a super admin).
 */
@AuthenticatedApi('directory', { forbidden: 'FORBIDDEN: outside your administrative scope' })
@Controller('api/v1/directory')
export class MembersHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post('members')
  @ApiCreatedResponse({ type: MemberResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'ALREADY_EXISTS: userid, mobile or email taken (details.field)' })
  async create(@Body() body: CreateMemberRequest): Promise<MemberResponse> {
    const member = toMemberInput(body);
    return toMemberResponse((await this.clients.directory.call('CreateMember', (d, md) => d.createMember({ member }, md))).member);
  }

  @Get('members')
  @ApiOkResponse({ type: MemberPageResponse, description: 'Keyset-paged by userid' })
  async list(@Query() query: ListMembersQuery): Promise<MemberPageResponse> {
    const request = toListMembers(query);
    const page = await this.clients.directory.call('ListMembers', (d, md) => d.listMembers(request, md));
    return { members: page.members.map(toMemberResponse), nextPageToken: page.nextPageToken };
  }

  /** Search by name, alias, userid, mobile, email or pinyin, best matches first. */
  @Get('members\\:search')
  @ApiOkResponse({ type: SearchMembersResponse })
  async search(@Query() query: SearchMembersQuery): Promise<SearchMembersResponse> {
    const { hits } = await this.clients.directory.call('SearchMembers', (d, md) =>
      d.searchMembers({ query: query.q, limit: query.limit ?? 20 }, md),
    );
    return { hits: hits.map((h) => ({ member: toMemberResponse(h.member), match: h.match, field: h.field })) };
  }

  @Get('members/:userid')
  @ApiOkResponse({ type: MemberResponse })
  async get(@Param() { userid }: UseridParam): Promise<MemberResponse> {
    return toMemberResponse((await this.clients.directory.call('GetMember', (d, md) => d.getMember({ userid }, md))).member);
  }

  @Patch('members/:userid')
  @ApiOkResponse({ type: MemberResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'ALREADY_EXISTS (mobile, email), MEMBER_OFFBOARDED' })
  async update(@Param() { userid }: UseridParam, @Body() body: UpdateMemberRequest): Promise<MemberResponse> {
    const patch = toMemberPatch(body);
    return toMemberResponse((await this.clients.directory.call('UpdateMember', (d, md) => d.updateMember({ userid, patch }, md))).member);
  }

  @Delete('members/:userid')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@Param() { userid }: UseridParam): Promise<void> {
    await this.clients.directory.call('DeleteMembers', (d, md) => d.deleteMembers({ userids: [userid] }, md));
  }

  /** The member can no longer sign in; their sessions end within a second. */
  @Post('members/:userid/disable')
  @HttpCode(200)
  @ApiOkResponse({ type: MemberResponse })
  async disable(@Param() { userid }: UseridParam): Promise<MemberResponse> {
    return toMemberResponse(
      (await this.clients.directory.call('SetMemberEnabled', (d, md) => d.setMemberEnabled({ userid, enabled: false }, md))).member,
    );
  }

  @Post('members/:userid/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: MemberResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'MEMBER_OFFBOARDED: cannot be re-enabled' })
  async enable(@Param() { userid }: UseridParam): Promise<MemberResponse> {
    return toMemberResponse(
      (await this.clients.directory.call('SetMemberEnabled', (d, md) => d.setMemberEnabled({ userid, enabled: true }, md))).member,
    );
  }

  /** 离职: the member is frozen now, their sessions end within a second, the successor inherits. */
  @Post('members/:userid/offboard')
  @HttpCode(200)
  @ApiOkResponse({ type: OffboardMemberResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'MEMBER_OFFBOARDED: already offboarded' })
  @ApiResponse({ status: 412, type: ErrorResponse, description: 'PRECONDITION_FAILED: successor not active, or yourself' })
  async offboard(@Param() { userid }: UseridParam, @Body() body: OffboardMemberRequest): Promise<OffboardMemberResponse> {
    const { member, transfers } = await this.clients.directory.call('OffboardMember', (d, md) =>
      d.offboardMember({ userid, successorUserid: body.successorUserid }, md),
    );
    return { member: toMemberResponse(member), transfers };
  }

  @Get('members/:userid/transfers')
  @ApiOkResponse({ type: TransferRecordListResponse, description: 'One record per resource type (bounded)' })
  async transfers(@Param() { userid }: UseridParam): Promise<TransferRecordListResponse> {
    return this.clients.directory.call('ListTransferRecords', (d, md) => d.listTransferRecords({ userid }, md));
  }

  @Get('members/:userid/manager-chain')
  @ApiOkResponse({ type: ManagerChainResponse })
  async managerChain(@Param() { userid }: UseridParam, @Query() query: ManagerChainQuery): Promise<ManagerChainResponse> {
    const { levels } = await this.clients.directory.call('GetManagerChain', (d, md) =>
      d.getManagerChain({ userid, levels: query.levels ?? 1 }, md),
    );
    return { levels: levels.map((level) => level.values) };
  }

  /** The corp's custom member attributes (扩展属性), in display order; any member may read them. */
  @Get('attributes')
  @ApiOkResponse({ type: MemberAttributeListResponse })
  async listAttributes(): Promise<MemberAttributeListResponse> {
    const { attributes } = await this.clients.directory.call('ListMemberAttributes', (d, md) => d.listMemberAttributes({}, md));
    return { attributes: attributes.map(toMemberAttributeResponse) };
  }

  @Post('attributes')
  @ApiCreatedResponse({ type: MemberAttributeResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'ALREADY_EXISTS: an attribute of that name; LIMIT_EXCEEDED: 100 per corp' })
  async createAttribute(@Body() body: CreateMemberAttributeRequest): Promise<MemberAttributeResponse> {
    const attribute = { name: body.name, type: body.type, order: body.order ?? 0 };
    return toMemberAttributeResponse(
      (await this.clients.directory.call('CreateMemberAttribute', (d, md) => d.createMemberAttribute({ attribute }, md))).attribute,
    );
  }

  /** Renames (members' values follow) or re-orders an attribute. */
  @Patch('attributes/:name')
  @ApiOkResponse({ type: MemberAttributeResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'ALREADY_EXISTS: the new name is taken' })
  async updateAttribute(
    @Param() { name }: MemberAttributeNameParam,
    @Body() body: UpdateMemberAttributeRequest,
  ): Promise<MemberAttributeResponse> {
    const request = { name, newName: body.name, order: body.order };
    return toMemberAttributeResponse(
      (await this.clients.directory.call('UpdateMemberAttribute', (d, md) => d.updateMemberAttribute(request, md))).attribute,
    );
  }

  /** Removes the attribute and every member's value of it. */
  @Delete('attributes/:name')
  @ApiOkResponse({ type: DeleteMemberAttributeResponse })
  async deleteAttribute(@Param() { name }: MemberAttributeNameParam): Promise<DeleteMemberAttributeResponse> {
    return this.clients.directory.call('DeleteMemberAttribute', (d, md) => d.deleteMemberAttribute({ name }, md));
  }
}
