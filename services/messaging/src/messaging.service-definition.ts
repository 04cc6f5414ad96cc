import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { MessagingConfig } from './config';
import { DirectoryPort } from './directory/directory.port';
import { MessagingFoundation1700000010000 } from './migrations/1700000010000-messaging-foundation';
import { CorpPolicies1700000011000 } from './migrations/1700000011000-corp-policies';
import { Media1700000012000 } from './migrations/1700000012000-media';
import { CardState1700000014000 } from './migrations/1700000014000-card-state';
import { AppMessages1700000013000 } from './migrations/1700000013000-app-messages';
import { MessagingFeatures1700000015000 } from './migrations/1700000015000-messaging-features';
import { MessageRequestHash1700000016000 } from './migrations/1700000016000-message-request-hash';
import { startFeatureWorkers } from './features/feature-workers';
import { MessagingModule } from './messaging.module';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';

export interface MessagingServiceOptions {
  /** Answers messaging's questions to the directory instead of the directory service over gRPC. */
  directory?: DirectoryPort;
}

export function messagingService(config: MessagingConfig, options: MessagingServiceOptions = {}): ServiceDefinition {
  return {
    name: 'messaging',
    database: {
      entities: [],
      migrations: [
        MessagingFoundation1700000010000,
        CorpPolicies1700000011000,
        Media1700000012000,
        AppMessages1700000013000,
        CardState1700000014000,
        MessagingFeatures1700000015000,
        MessageRequestHash1700000016000,
      ],
    },
    grpc: { packageName: 'atrium.messaging.v1', protoPath: protoPathFor('messaging') },
    imports: [MessagingModule.forRoot(config, options.directory)],
    onStarted: async (app) => {
      await app.get(OffboardingConsumer).start();
      await startFeatureWorkers(app);
    },
  };
}
