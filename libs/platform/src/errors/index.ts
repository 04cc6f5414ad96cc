export * from './domain-error';
export * from './grpc-status';
export * from './http-status';
export * from './transient-failure';
