import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';
import { DepartmentIdParam } from '../http/params';
import { toCreateDepartment, toDepartmentResponse, toUpdateDepartment } from './directory.mapper';
import {
  CreateDepartmentRequest,
  DepartmentListResponse,
  DepartmentResponse,
  ListDepartmentsQuery,
  MoveDepartmentRequest,
  UpdateDepartmentRequest,
} from './dto/department.dto';

/** The department tree, as the signed-in member (writes need an admin scope over the departments). */
@AuthenticatedApi('directory', { forbidden: 'FORBIDDEN: outside your administrative scope' })
@Controller('api/v1/directory/departments')
export class DepartmentsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post()
  @ApiCreatedResponse({ type: DepartmentResponse })
  @ApiResponse({
    status: 409,
    type: ErrorResponse,
    description: 'ALREADY_EXISTS (name among siblings, id), DEPARTMENT_TOO_DEEP, LIMIT_EXCEEDED',
  })
  async create(@Body() body: CreateDepartmentRequest): Promise<DepartmentResponse> {
    const request = toCreateDepartment(body);
    return toDepartmentResponse(
      (await this.clients.directory.call('CreateDepartment', (d, md) => d.createDepartment(request, md))).department,
    );
  }

  @Get()
  @ApiOkResponse({ type: DepartmentListResponse })
  async list(@Query() query: ListDepartmentsQuery): Promise<DepartmentListResponse> {
    const { departments } = await this.clients.directory.call('ListDepartments', (d, md) =>
      d.listDepartments({ id: query.id ?? 0, directOnly: query.directOnly ?? false }, md),
    );
    return { departments: departments.map(toDepartmentResponse) };
  }

  @Get(':id')
  @ApiOkResponse({ type: DepartmentResponse })
  async get(@Param() { id }: DepartmentIdParam): Promise<DepartmentResponse> {
    return toDepartmentResponse((await this.clients.directory.call('GetDepartment', (d, md) => d.getDepartment({ id }, md))).department);
  }

  @Patch(':id')
  @ApiOkResponse({ type: DepartmentResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'ALREADY_EXISTS, DEPARTMENT_CYCLE, DEPARTMENT_TOO_DEEP' })
  async update(@Param() { id }: DepartmentIdParam, @Body() body: UpdateDepartmentRequest): Promise<DepartmentResponse> {
    const request = toUpdateDepartment(id, body);
    return toDepartmentResponse(
      (await this.clients.directory.call('UpdateDepartment', (d, md) => d.updateDepartment(request, md))).department,
    );
  }

  /** Re-parents and places the department among its new siblings in one step (drag and drop). */
  @Post(':id/move')
  @HttpCode(200)
  @ApiOkResponse({ type: DepartmentResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'DEPARTMENT_CYCLE (into its own subtree), DEPARTMENT_TOO_DEEP' })
  async move(@Param() { id }: DepartmentIdParam, @Body() body: MoveDepartmentRequest): Promise<DepartmentResponse> {
    const request = { id, parentId: body.parentId, afterId: body.afterId ?? 0 };
    return toDepartmentResponse((await this.clients.directory.call('MoveDepartment', (d, md) => d.moveDepartment(request, md))).department);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'DEPARTMENT_NOT_EMPTY (children or members)' })
  @ApiResponse({ status: 412, type: ErrorResponse, description: 'PRECONDITION_FAILED: the root' })
  async delete(@Param() { id }: DepartmentIdParam): Promise<void> {
    await this.clients.directory.call('DeleteDepartment', (d, md) => d.deleteDepartment({ id }, md));
  }
}
