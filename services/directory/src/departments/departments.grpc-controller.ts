import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toDepartmentMessage } from './department.mapper';
import { DepartmentsService } from './departments.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class DepartmentsGrpcController {
  constructor(private readonly departments: DepartmentsService) {}

  @GrpcMethod(SERVICE, 'CreateDepartment')
  async createDepartment(r: directoryV1.CreateDepartmentRequest): Promise<directoryV1.CreateDepartmentResponse> {
    const department = await this.departments.create(currentCaller(), {
      id: r.id,
      parentId: r.parentId,
      name: r.name,
      nameEn: r.nameEn,
      order: r.order,
      leaders: r.leaders,
    });
    return { department: toDepartmentMessage(department) };
  }

  @GrpcMethod(SERVICE, 'UpdateDepartment')
  async updateDepartment(r: directoryV1.UpdateDepartmentRequest): Promise<directoryV1.UpdateDepartmentResponse> {
    const department = await this.departments.update(currentCaller(), r.id, {
      name: r.name,
      nameEn: r.nameEn,
      parentId: r.parentId,
      order: r.order,
      leaders: r.leaders?.values,
    });
    return { department: toDepartmentMessage(department) };
  }

  @GrpcMethod(SERVICE, 'MoveDepartment')
  async moveDepartment(r: directoryV1.MoveDepartmentRequest): Promise<directoryV1.MoveDepartmentResponse> {
    return { department: toDepartmentMessage(await this.departments.move(currentCaller(), r.id, r.parentId, r.afterId)) };
  }

  @GrpcMethod(SERVICE, 'DeleteDepartment')
  async deleteDepartment(r: directoryV1.DeleteDepartmentRequest): Promise<directoryV1.DeleteDepartmentResponse> {
    await this.departments.delete(currentCaller(), r.id);
    return {};
  }

  @GrpcMethod(SERVICE, 'GetDepartment')
  async getDepartment(r: directoryV1.GetDepartmentRequest): Promise<directoryV1.GetDepartmentResponse> {
    return { department: toDepartmentMessage(await this.departments.get(currentCaller(), r.id)) };
  }

  @GrpcMethod(SERVICE, 'ListDepartments')
  async listDepartments(r: directoryV1.ListDepartmentsRequest): Promise<directoryV1.ListDepartmentsResponse> {
    return { departments: (await this.departments.list(currentCaller(), r.id, r.directOnly)).map(toDepartmentMessage) };
  }
}
