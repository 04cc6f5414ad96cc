import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { reportV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';

/** Echoes the verified identity: the end-to-end proof that signed identities reach services. */
@Controller()
export class CallerGrpcController {
  @GrpcMethod(reportV1.REPORT_SERVICE_NAME, 'DescribeCaller')
  describeCaller(): reportV1.DescribeCallerResponse {
    const caller = currentCaller();
    return { service: 'report', corpId: caller.corpId, userId: caller.userId, roles: caller.roles };
  }
}
