import { Controller, Get, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CallerIdentity } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import { WecomDepartmentCreate, WecomDepartmentIdQuery, WecomDepartmentListQuery, WecomDepartmentUpdate } from './dto/wecom-department.dto';
import { WecomAccessGuard } from './wecom-access.guard';
import { toCreateDepartment, toUpdateDepartment, toWecomDepartment } from './wecom-directory.mapper';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { WecomBody, WecomCaller, WecomQuery } from './wecom-request';

/** WeCom-compatible department APIs (通讯录管理 › 部门管理): writes need the directory-sync secret. */
@ApiTags('wecom-compat')
@ApiQuery({ name: 'access_token' })
@ApiOkResponse({ description: 'Always HTTP 200 with {errcode, errmsg, ...}' })
@UseFilters(WecomExceptionFilter)
@UseGuards(WecomAccessGuard)
@Controller('cgi-bin/department')
export class WecomDepartmentsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post('create')
  @HttpCode(200)
  @ApiBody({ type: WecomDepartmentCreate })
  async create(@WecomCaller() caller: CallerIdentity, @WecomBody(WecomDepartmentCreate) body: WecomDepartmentCreate) {
    const request = toCreateDepartment(body);
    const { department } = await this.clients.directory.call('CreateDepartment', (d, md) => d.createDepartment(request, md), caller);
    return { errcode: 0, errmsg: 'created', id: toWecomDepartment(department).id };
  }

  @Post('update')
  @HttpCode(200)
  @ApiBody({ type: WecomDepartmentUpdate })
  async update(@WecomCaller() caller: CallerIdentity, @WecomBody(WecomDepartmentUpdate) body: WecomDepartmentUpdate) {
    const request = toUpdateDepartment(body);
    await this.clients.directory.call('UpdateDepartment', (d, md) => d.updateDepartment(request, md), caller);
    return { errcode: 0, errmsg: 'updated' };
  }

  @Get('delete')
  @ApiQuery({ name: 'id', type: Number })
  async delete(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomDepartmentIdQuery) query: WecomDepartmentIdQuery) {
    await this.clients.directory.call('DeleteDepartment', (d, md) => d.deleteDepartment({ id: query.id }, md), caller);
    return { errcode: 0, errmsg: 'deleted' };
  }

  /** The department and its whole subtree (the whole corp without id); bounded by the 30,000-department limit. */
  @Get('list')
  @ApiQuery({ name: 'id', type: Number, required: false })
  async list(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomDepartmentListQuery) query: WecomDepartmentListQuery) {
    const { departments } = await this.clients.directory.call(
      'ListDepartments',
      (d, md) => d.listDepartments({ id: query.id ?? 0, directOnly: false }, md),
      caller,
    );
    return { errcode: 0, errmsg: 'ok', department: departments.map(toWecomDepartment) };
  }

  @Get('simplelist')
  @ApiQuery({ name: 'id', type: Number, required: false })
  async simpleList(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomDepartmentListQuery) query: WecomDepartmentListQuery) {
    const { departments } = await this.clients.directory.call(
      'ListDepartments',
      (d, md) => d.listDepartments({ id: query.id ?? 0, directOnly: false }, md),
      caller,
    );
    return { errcode: 0, errmsg: 'ok', department_id: departments.map((d) => ({ id: d.id, parentid: d.parentId, order: d.order })) };
  }

  @Get('get')
  @ApiQuery({ name: 'id', type: Number })
  async get(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomDepartmentIdQuery) query: WecomDepartmentIdQuery) {
    const { department } = await this.clients.directory.call('GetDepartment', (d, md) => d.getDepartment({ id: query.id }, md), caller);
    return { errcode: 0, errmsg: 'ok', department: toWecomDepartment(department) };
  }
}
