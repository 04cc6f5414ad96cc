import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller, ValidationError } from '@atrium/platform';
import { MemberAttributesService } from './member-attributes.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class MemberAttributesGrpcController {
  constructor(private readonly attributes: MemberAttributesService) {}

  @GrpcMethod(SERVICE, 'CreateMemberAttribute')
  async createMemberAttribute(r: directoryV1.CreateMemberAttributeRequest): Promise<directoryV1.CreateMemberAttributeResponse> {
    if (!r.attribute) throw new ValidationError('attribute is required', { field: 'attribute' });
    const { name, type, order } = r.attribute;
    return { attribute: await this.attributes.create(currentCaller(), { name, type, order: order || undefined }) };
  }

  @GrpcMethod(SERVICE, 'UpdateMemberAttribute')
  async updateMemberAttribute(r: directoryV1.UpdateMemberAttributeRequest): Promise<directoryV1.UpdateMemberAttributeResponse> {
    return { attribute: await this.attributes.update(currentCaller(), r.name, { newName: r.newName, order: r.order }) };
  }

  @GrpcMethod(SERVICE, 'DeleteMemberAttribute')
  async deleteMemberAttribute(r: directoryV1.DeleteMemberAttributeRequest): Promise<directoryV1.DeleteMemberAttributeResponse> {
    return { clearedMembers: await this.attributes.delete(currentCaller(), r.name) };
  }

  @GrpcMethod(SERVICE, 'ListMemberAttributes')
  async listMemberAttributes(): Promise<directoryV1.ListMemberAttributesResponse> {
    return { attributes: await this.attributes.list(currentCaller()) };
  }
}
