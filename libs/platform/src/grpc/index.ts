export * from './signed-identity';
export * from './grpc-server';
export * from './grpc-client';
export * from './health.grpc-controller';
export * from './correlated-stream';
export * from './error-details';
