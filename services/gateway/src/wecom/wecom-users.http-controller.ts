import { Controller, Get, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { directoryV1 } from '@atrium/contracts';
import { CallerIdentity } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import {
  WecomUserBatchDelete,
  WecomUserCreate,
  WecomUseridQuery,
  WecomUserListIdBody,
  WecomUserListQuery,
  WecomUserUpdate,
} from './dto/wecom-user.dto';
import { WecomAccessGuard } from './wecom-access.guard';
import {
  needsCurrentMember,
  ROOT_DEPARTMENT_ID,
  toMemberInput,
  toMemberPatch,
  toWecomSimpleUser,
  toWecomUser,
} from './wecom-directory.mapper';
import { ERRCODE, WecomError } from './wecom-error';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { WecomBody, WecomCaller, WecomQuery } from './wecom-request';

// user/list and user/simplelist answer in one response; larger departments page with user/list_id.
const LIST_MAX = 10_000;
const PAGE_SIZE = 1_000;

/** WeCom-compatible member APIs (通讯录管理 › 成员管理): writes need the directory-sync secret. */
@ApiTags('wecom-compat')
@ApiQuery({ name: 'access_token' })
@ApiOkResponse({ description: 'Always HTTP 200 with {errcode, errmsg, ...}' })
@UseFilters(WecomExceptionFilter)
@UseGuards(WecomAccessGuard)
@Controller('cgi-bin/user')
export class WecomUsersHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post('create')
  @HttpCode(200)
  @ApiBody({ type: WecomUserCreate })
  async create(@WecomCaller() caller: CallerIdentity, @WecomBody(WecomUserCreate) body: WecomUserCreate) {
    const member = toMemberInput(body, body.extattr ? await this.definedAttributes(caller) : []);
    await this.clients.directory.call('CreateMember', (d, md) => d.createMember({ member }, md), caller);
    return { errcode: 0, errmsg: 'created' };
  }

  @Get('get')
  @ApiQuery({ name: 'userid' })
  async get(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomUseridQuery) query: WecomUseridQuery) {
    return { errcode: 0, errmsg: 'ok', ...toWecomUser(await this.getMember(caller, query.userid)) };
  }

  /** Only the fields sent change; `enable` disables or re-enables the member (one write with the rest). */
  @Post('update')
  @HttpCode(200)
  @ApiBody({ type: WecomUserUpdate })
  async update(@WecomCaller() caller: CallerIdentity, @WecomBody(WecomUserUpdate) body: WecomUserUpdate) {
    const patch = toMemberPatch(
      body,
      needsCurrentMember(body) ? await this.getMember(caller, body.userid) : undefined,
      body.extattr ? await this.definedAttributes(caller) : [],
    );
    await this.clients.directory.call('UpdateMember', (d, md) => d.updateMember({ userid: body.userid, patch }, md), caller);
    return { errcode: 0, errmsg: 'updated' };
  }

  @Get('delete')
  @ApiQuery({ name: 'userid' })
  async delete(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomUseridQuery) query: WecomUseridQuery) {
    await this.clients.directory.call('DeleteMembers', (d, md) => d.deleteMembers({ userids: [query.userid] }, md), caller);
    return { errcode: 0, errmsg: 'deleted' };
  }

  @Post('batchdelete')
  @HttpCode(200)
  @ApiBody({ type: WecomUserBatchDelete })
  async batchDelete(@WecomCaller() caller: CallerIdentity, @WecomBody(WecomUserBatchDelete) body: WecomUserBatchDelete) {
    await this.clients.directory.call('DeleteMembers', (d, md) => d.deleteMembers({ userids: body.useridlist }, md), caller);
    return { errcode: 0, errmsg: 'deleted' };
  }

  @Get('simplelist')
  @ApiQuery({ name: 'department_id', type: Number })
  @ApiQuery({ name: 'fetch_child', enum: [0, 1], required: false })
  async simpleList(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomUserListQuery) query: WecomUserListQuery) {
    return { errcode: 0, errmsg: 'ok', userlist: (await this.listAll(caller, query)).map(toWecomSimpleUser) };
  }

  @Get('list')
  @ApiQuery({ name: 'department_id', type: Number })
  @ApiQuery({ name: 'fetch_child', enum: [0, 1], required: false })
  async list(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomUserListQuery) query: WecomUserListQuery) {
    return { errcode: 0, errmsg: 'ok', userlist: (await this.listAll(caller, query)).map(toWecomUser) };
  }

  /** Every member of the corp, one entry per (member, department), cursor-paged. */
  @Post('list_id')
  @HttpCode(200)
  @ApiBody({ type: WecomUserListIdBody })
  async listIds(@WecomCaller() caller: CallerIdentity, @WecomBody(WecomUserListIdBody) body: WecomUserListIdBody) {
    const request = {
      departmentId: ROOT_DEPARTMENT_ID,
      recursive: true,
      pageSize: Math.min(body.limit ?? PAGE_SIZE, PAGE_SIZE),
      pageToken: body.cursor ?? '',
    };
    const page = await this.clients.directory.call('ListMembers', (d, md) => d.listMembers(request, md), caller);
    const deptUser = page.members.flatMap((m) =>
      m.departments.map((d) => ({ userid: m.userid.toLowerCase(), department: d.departmentId })),
    );
    return { errcode: 0, errmsg: 'ok', next_cursor: page.nextPageToken, dept_user: deptUser };
  }

  private async definedAttributes(caller: CallerIdentity): Promise<directoryV1.MemberAttribute[]> {
    return (await this.clients.directory.call('ListMemberAttributes', (d, md) => d.listMemberAttributes({}, md), caller)).attributes;
  }

  private async getMember(caller: CallerIdentity, userid: string): Promise<directoryV1.Member | undefined> {
    return (await this.clients.directory.call('GetMember', (d, md) => d.getMember({ userid }, md), caller)).member;
  }

  private async listAll(caller: CallerIdentity, query: WecomUserListQuery): Promise<directoryV1.Member[]> {
    const members: directoryV1.Member[] = [];
    let pageToken = '';
    do {
      const request = { departmentId: query.department_id, recursive: query.fetch_child === 1, pageSize: PAGE_SIZE, pageToken };
      const page = await this.clients.directory.call('ListMembers', (d, md) => d.listMembers(request, md), caller);
      members.push(...page.members);
      pageToken = page.nextPageToken;
      if (pageToken && members.length >= LIST_MAX) {
        throw new WecomError(ERRCODE.RESPONSE_TOO_LARGE, `more than ${LIST_MAX} members: page through them with user/list_id`);
      }
    } while (pageToken);
    return members;
  }
}
