import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { PublicRpc } from './grpc-server';

/** The standard gRPC health protocol, unauthenticated so probes and the gateway can use it. */
@Controller()
export class HealthGrpcController {
  @PublicRpc()
  @GrpcMethod('Health', 'Check')
  check(): { status: number } {
    return { status: 1 };
  }
}
