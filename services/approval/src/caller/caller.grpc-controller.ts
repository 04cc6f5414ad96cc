import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { approvalV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';

/** Echoes the verified identity: the end-to-end proof that signed identities reach services. */
@Controller()
export class CallerGrpcController {
  @GrpcMethod(approvalV1.APPROVAL_SERVICE_NAME, 'DescribeCaller')
  describeCaller(): approvalV1.DescribeCallerResponse {
    const caller = currentCaller();
    return { service: 'approval', corpId: caller.corpId, userId: caller.userId, roles: caller.roles };
  }
}
