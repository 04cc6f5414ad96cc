import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { Module } from '@nestjs/common';

@Module({ controllers: [CallerGrpcController] })
class MessagingModule {}

export function messagingService(): ServiceDefinition {
  return {
    name: 'messaging',
    database: { entities: [], migrations: [] },
    grpc: { packageName: 'atrium.messaging.v1', protoPath: protoPathFor('messaging') },
    imports: [MessagingModule],
  };
}
