export * from './data-source';
export * from './platform-migrations';
export * from './embedded-postgres';
