export * from './infra';
export * from './factories';
