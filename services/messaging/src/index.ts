export { messagingService } from './messaging.service-definition';
export { loadMessagingConfig, type MessagingConfig } from './config';
// The periodic jobs, for tests and operators that run a round with an explicit clock.
export { BurnService } from './burn/burn.service';
export { RetentionService } from './retention/retention.service';
// The write paths, for tests that drive every kind of send into one conversation.
export { AppChatsService } from './apps/app-chats.service';
export { MessagesService } from './messages/messages.service';
export { ScreenshotsService } from './screenshots/screenshots.service';
