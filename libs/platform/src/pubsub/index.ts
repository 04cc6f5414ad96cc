export * from './pubsub';
