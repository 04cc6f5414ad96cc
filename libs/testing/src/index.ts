export * from './infra';
export * from './factories';
export * from './private-postgres';
export * from './private-kafka';
