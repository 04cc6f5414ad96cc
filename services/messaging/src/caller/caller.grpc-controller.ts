import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';

/** Echoes the verified identity: the end-to-end proof that signed identities reach services. */
@Controller()
export class CallerGrpcController {
  @GrpcMethod(messagingV1.MESSAGING_SERVICE_NAME, 'DescribeCaller')
  describeCaller(): messagingV1.DescribeCallerResponse {
    const caller = currentCaller();
    return { service: 'messaging', corpId: caller.corpId, userId: caller.userId, roles: caller.roles };
  }
}
