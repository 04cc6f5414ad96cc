export * from './infra';
export * from './factories';
export * from './ssrf-payloads';
export * from './private-redis';
export * from './private-postgres';
export * from './private-kafka';
export * from './pglite-server';
