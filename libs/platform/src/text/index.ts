export * from './input-text';
