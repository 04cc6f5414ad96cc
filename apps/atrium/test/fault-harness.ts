// Moved to ./support (one folder for the end-to-end helpers); kept so that specs importing it here still compile.
export * from './support/fault-harness';
