import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { MESSAGING_CONFIG, MessagingConfig } from './config';
import { ConversationsGrpcController } from './conversations/conversations.grpc-controller';
import { ConversationsRepository } from './conversations/conversations.repository';
import { ConversationsService } from './conversations/conversations.service';
import { DirectoryClient } from './directory/directory.client';
import { MessagesGrpcController } from './messages/messages.grpc-controller';
import { MessagesRepository } from './messages/messages.repository';
import { MessagesService } from './messages/messages.service';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';
import { CorpPoliciesGrpcController } from './policies/corp-policies.grpc-controller';
import { CorpPoliciesRepository } from './policies/corp-policies.repository';
import { CorpPoliciesService } from './policies/corp-policies.service';
import { RealtimePublisher } from './realtime/realtime.publisher';

@Module({})
export class MessagingModule implements OnModuleDestroy {
  constructor(@Inject(DirectoryClient) private readonly directory: DirectoryClient) {}

  static forRoot(config: MessagingConfig): DynamicModule {
    return {
      module: MessagingModule,
      controllers: [CallerGrpcController, ConversationsGrpcController, MessagesGrpcController, CorpPoliciesGrpcController],
      providers: [
        { provide: MESSAGING_CONFIG, useValue: config },
        { provide: DirectoryClient, useFactory: () => new DirectoryClient(config.DIRECTORY_GRPC_URL, config.ATRIUM_IDENTITY_KEY) },
        ConversationsRepository,
        ConversationsService,
        MessagesRepository,
        MessagesService,
        RealtimePublisher,
        OffboardingConsumer,
        CorpPoliciesRepository,
        CorpPoliciesService,
      ],
    };
  }

  onModuleDestroy(): Promise<void> {
    return this.directory.close();
  }
}
