export * from './message-broker';
export * from './kafka-broker';
export * from './in-process-broker';
export * from './outbox';
export * from './outbox-relay';
export * from './event-consumer';
export * from './event-bus';
export * from './resource-transfers';
