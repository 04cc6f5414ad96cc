import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { AppChatsService } from './apps/app-chats.service';
import { AppMessagesRepository } from './apps/app-messages.repository';
import { AppMessagesService } from './apps/app-messages.service';
import { AppsGrpcController } from './apps/apps.grpc-controller';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { CardStatesRepository } from './cards/card-states.repository';
import { CardsGrpcController } from './cards/cards.grpc-controller';
import { CardsService } from './cards/cards.service';
import { MESSAGING_CONFIG, MessagingConfig } from './config';
import { ConversationsGrpcController } from './conversations/conversations.grpc-controller';
import { ConversationsRepository } from './conversations/conversations.repository';
import { ConversationsService } from './conversations/conversations.service';
import { DirectoryClient } from './directory/directory.client';
import { DirectoryPort } from './directory/directory.port';
import { FEATURE_CONTROLLERS, FEATURE_PROVIDERS } from './features/feature-providers';
import { MediaGrpcController } from './media/media.grpc-controller';
import { MediaRepository } from './media/media.repository';
import { MediaService } from './media/media.service';
import { MessagesGrpcController } from './messages/messages.grpc-controller';
import { MessagesRepository } from './messages/messages.repository';
import { MessagesService } from './messages/messages.service';
import { MessageAppender } from './messages/message-appender';
import { SendCommitter } from './messages/send-committer';
import { OnBehalfSends, SendStreams } from './messages/send-streams';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';
import { OffboardingService } from './offboarding/offboarding.service';
import { CorpPoliciesGrpcController } from './policies/corp-policies.grpc-controller';
import { CorpPoliciesRepository } from './policies/corp-policies.repository';
import { CorpPoliciesService } from './policies/corp-policies.service';
import { RealtimePublisher } from './realtime/realtime.publisher';

@Module({})
export class MessagingModule implements OnModuleDestroy {
  constructor(@Inject(DirectoryPort) private readonly directory: DirectoryPort) {}

  /** `directory` answers the directory port in place of the gRPC client (service-level tests). */
  static forRoot(config: MessagingConfig, directory?: DirectoryPort): DynamicModule {
    return {
      module: MessagingModule,
      controllers: [
        AppsGrpcController,
        CardsGrpcController,
        CallerGrpcController,
        ConversationsGrpcController,
        MessagesGrpcController,
        CorpPoliciesGrpcController,
        MediaGrpcController,
        ...FEATURE_CONTROLLERS,
      ],
      providers: [
        { provide: MESSAGING_CONFIG, useValue: config },
        {
          provide: DirectoryPort,
          useFactory: () => directory ?? new DirectoryClient(config.DIRECTORY_GRPC_URL, config.ATRIUM_IDENTITY_KEY),
        },
        ConversationsRepository,
        ConversationsService,
        MessagesRepository,
        MessagesService,
        MessageAppender,
        SendCommitter,
        OnBehalfSends,
        SendStreams,
        RealtimePublisher,
        AppMessagesRepository,
        AppMessagesService,
        AppChatsService,
        CardStatesRepository,
        CardsService,
        OffboardingService,
        OffboardingConsumer,
        CorpPoliciesRepository,
        CorpPoliciesService,
        MediaRepository,
        MediaService,
        ...FEATURE_PROVIDERS,
      ],
    };
  }

  onModuleDestroy(): Promise<void> {
    return this.directory.close();
  }
}
