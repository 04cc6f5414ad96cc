import { ConfigError, FsBlobStore, S3BlobStore } from '@atrium/platform';
import { loadGatewayConfig } from '../config';
import { createBlobStore } from './blob-store.factory';

const base = {
  DATABASE_URL: 'postgres://u@db:5432/gateway',
  ATRIUM_EVENT_BUS: 'inprocess',
  ATRIUM_PUBSUB: 'inprocess',
  ATRIUM_IDENTITY_KEY: 'k'.repeat(32),
  JWT_SECRET: 'j'.repeat(32),
  DIRECTORY_GRPC_URL: 'directory:50051',
  MESSAGING_GRPC_URL: 'messaging:50051',
  APPROVAL_GRPC_URL: 'approval:50051',
  REPORT_GRPC_URL: 'report:50051',
  AUDIT_GRPC_URL: 'audit:50051',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the gateway blob store configuration', () => {
  it('keeps media in a directory unless told otherwise', () => {
    expect(createBlobStore(loadGatewayConfig(base))).toBeInstanceOf(FsBlobStore);
  });

  it('uses an S3-compatible bucket with its credentials', () => {
    const config = loadGatewayConfig({
      ...base,
      ATRIUM_BLOB_STORE: 's3',
      ATRIUM_S3_ENDPOINT: 'http://minio.storage:9000',
      ATRIUM_S3_BUCKET: 'atrium-media',
      ATRIUM_S3_ACCESS_KEY_ID: 'atrium',
      ATRIUM_S3_SECRET_ACCESS_KEY: 'secret',
      ATRIUM_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(createBlobStore(config)).toBeInstanceOf(S3BlobStore);
  });

  it('names every missing S3 setting, and a bad one, without echoing secrets', () => {
    expect(problems({ ...base, ATRIUM_BLOB_STORE: 's3' })).toEqual([
      'ATRIUM_S3_BUCKET is missing: required when ATRIUM_BLOB_STORE=s3',
      'ATRIUM_S3_ACCESS_KEY_ID is missing: required when ATRIUM_BLOB_STORE=s3',
      'ATRIUM_S3_SECRET_ACCESS_KEY is missing: required when ATRIUM_BLOB_STORE=s3',
    ]);
    expect(problems({ ...base, ATRIUM_BLOB_STORE: 'nfs', ATRIUM_S3_BUCKET: 'Bad_Bucket' })).toEqual([
      'ATRIUM_BLOB_STORE="nfs" is invalid: expected fs or s3',
      'ATRIUM_S3_BUCKET="Bad_Bucket" is invalid: expected an S3 bucket name (3-63 lower-case letters, digits, "." or "-")',
    ]);
  });
});
