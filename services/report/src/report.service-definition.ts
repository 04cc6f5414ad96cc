import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { Module } from '@nestjs/common';

@Module({ controllers: [CallerGrpcController] })
class ReportModule {}

export function reportService(): ServiceDefinition {
  return {
    name: 'report',
    database: { entities: [], migrations: [] },
    grpc: { packageName: 'atrium.report.v1', protoPath: protoPathFor('report') },
    imports: [ReportModule],
  };
}
