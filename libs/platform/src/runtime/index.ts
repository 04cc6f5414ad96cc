export * from './infrastructure';
export * from './tokens';
export * from './platform.module';
export * from './readiness.service';
export * from './ops.http-controller';
export * from './service-runner';
export * from './service-main';
export * from './error.filter';
