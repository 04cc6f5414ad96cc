export * from './data-source';
export * from './statements';
export * from './unique-violation';
export * from './platform-migrations';
export * from './embedded-postgres';
export * from './table-statistics';
