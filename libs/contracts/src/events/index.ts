export * from './event-definition';
export * from './topics';
export * from './directory-events';
export * from './gateway-events';
export * from './transfer-events';
export * from './messaging-events';
