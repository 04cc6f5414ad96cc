import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { Module } from '@nestjs/common';

@Module({ controllers: [CallerGrpcController] })
class ApprovalModule {}

export function approvalService(): ServiceDefinition {
  return {
    name: 'approval',
    database: { entities: [], migrations: [] },
    grpc: { packageName: 'atrium.approval.v1', protoPath: protoPathFor('approval') },
    imports: [ApprovalModule],
  };
}
