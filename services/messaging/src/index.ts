export { messagingService } from './messaging.service-definition';
export { loadMessagingConfig, type MessagingConfig } from './config';
