export * from './blob-store';
export * from './fs-blob-store';
export * from './s3-blob-store';
