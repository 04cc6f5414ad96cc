import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { MessagingConfig } from './config';
import { MessagingFoundation1700000010000 } from './migrations/1700000010000-messaging-foundation';
import { CorpPolicies1700000011000 } from './migrations/1700000011000-corp-policies';
import { MessagingModule } from './messaging.module';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';

export function messagingService(config: MessagingConfig): ServiceDefinition {
  return {
    name: 'messaging',
    database: { entities: [], migrations: [MessagingFoundation1700000010000, CorpPolicies1700000011000] },
    grpc: { packageName: 'atrium.messaging.v1', protoPath: protoPathFor('messaging') },
    imports: [MessagingModule.forRoot(config)],
    onStarted: (app) => app.get(OffboardingConsumer).start(),
  };
}
