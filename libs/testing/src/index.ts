export * from './infra';
export * from './factories';
export * from './ssrf-payloads';
export * from './private-redis';
