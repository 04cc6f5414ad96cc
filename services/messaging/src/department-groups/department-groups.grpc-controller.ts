import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toConversationMessage } from '../conversations/conversation.mapper';
import { DepartmentGroupsService } from './department-groups.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class DepartmentGroupsGrpcController {
  constructor(private readonly groups: DepartmentGroupsService) {}

  @GrpcMethod(SERVICE, 'CreateDepartmentGroup')
  async createDepartmentGroup(r: messagingV1.CreateDepartmentGroupRequest): Promise<messagingV1.CreateDepartmentGroupResponse> {
    return { conversation: toConversationMessage(await this.groups.create(currentCaller(), r)) };
  }
}
