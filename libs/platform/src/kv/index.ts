export * from './kv-store';
