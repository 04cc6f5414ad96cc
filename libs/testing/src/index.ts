export * from './infra';
export * from './factories';
export * from './private-redis';
