import { resolve } from 'node:path';
import { BlobStore, FsBlobStore, S3BlobStore } from '@atrium/platform';
import { GatewayConfig } from '../config';

export const BLOB_STORE = Symbol('atrium.gateway.blob-store');

/** The configured store; loadGatewayConfig already refused an `s3` without bucket and credentials. */
export function createBlobStore(config: GatewayConfig): BlobStore {
  if (config.ATRIUM_BLOB_STORE !== 's3') return new FsBlobStore(resolve(config.ATRIUM_BLOB_DIR ?? './data/blobs'));
  const region = config.ATRIUM_S3_REGION ?? 'us-east-1';
  return new S3BlobStore({
    endpoint: config.ATRIUM_S3_ENDPOINT ?? `https://s3.${region}.amazonaws.com`,
    region,
    bucket: config.ATRIUM_S3_BUCKET ?? '',
    accessKeyId: config.ATRIUM_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: config.ATRIUM_S3_SECRET_ACCESS_KEY ?? '',
    forcePathStyle: config.ATRIUM_S3_FORCE_PATH_STYLE === 'true',
    spoolDir: config.ATRIUM_S3_SPOOL_DIR,
  });
}
