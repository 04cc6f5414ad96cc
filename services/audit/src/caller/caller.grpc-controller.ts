import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';

/** Echoes the verified identity: the end-to-end proof that signed identities reach services. */
@Controller()
export class CallerGrpcController {
  @GrpcMethod(auditV1.AUDIT_SERVICE_NAME, 'DescribeCaller')
  describeCaller(): auditV1.DescribeCallerResponse {
    const caller = currentCaller();
    return { service: 'audit', corpId: caller.corpId, userId: caller.userId, roles: caller.roles };
  }
}
