import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Infrastructure, PlatformModule } from '@atrium/platform';
import { loadGatewayConfig } from '../config';
import { GatewayModule } from '../gateway.module';
import { createOpenApiDocument } from './openapi';

/** Placeholders that pass config validation; preview mode connects to none of them. */
const PREVIEW_ENVIRONMENT: NodeJS.ProcessEnv = {
  DATABASE_URL: 'postgres://preview@127.0.0.1:1/preview',
  ATRIUM_IDENTITY_KEY: 'p'.repeat(32),
  JWT_SECRET: 'p'.repeat(32),
  DIRECTORY_GRPC_URL: '127.0.0.1:1',
  MESSAGING_GRPC_URL: '127.0.0.1:1',
  APPROVAL_GRPC_URL: '127.0.0.1:1',
  REPORT_GRPC_URL: '127.0.0.1:1',
  AUDIT_GRPC_URL: '127.0.0.1:1',
  KAFKA_BROKERS: '127.0.0.1:1',
  REDIS_URL: 'redis://127.0.0.1:1',
};

/**
 * The gateway's OpenAPI document without a running platform: Nest's preview mode scans the
 * controllers and their decorators but instantiates no provider, so no database, broker or
 * service is reached. The web client's API types are generated from it.
 */
export async function previewOpenApiDocument(): Promise<OpenAPIObject> {
  // Stand-ins only satisfy injection tokens: preview mode calls no constructor or factory.
  const stand = {};
  const infra = {
    logger: stand,
    transactions: stand,
    bus: stand,
    pubsub: stand,
    dataSource: stand,
    kv: stand,
  } as unknown as Infrastructure;
  const app = await NestFactory.create(
    {
      module: class OpenApiPreview {},
      imports: [PlatformModule.forRoot(infra), GatewayModule.forRoot(loadGatewayConfig(PREVIEW_ENVIRONMENT))],
    },
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
