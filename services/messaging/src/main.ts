import 'reflect-metadata';
import { serviceMain } from '@atrium/platform';
import { loadMessagingConfig } from './config';
import { messagingService } from './messaging.service-definition';

void serviceMain(
  'messaging',
  () => loadMessagingConfig(),
  (config) => messagingService(config),
);
