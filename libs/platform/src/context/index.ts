export * from './request-context';
export * from './authorization';
