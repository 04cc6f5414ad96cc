import { z } from 'zod';
import { env } from './load-config';

/**
 * What every service needs to run against real servers. Services extend it with their own keys.
 * Embedded mode builds the same object in code (no environment), so both modes share one shape.
 */
export const platformEnvSchema = z.object({
  HTTP_PORT: env.port(8080),
  GRPC_PORT: env.port(50051),
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  ATRIUM_EVENT_BUS: z.enum(['kafka', 'inprocess']).default('kafka'),
  ATRIUM_PUBSUB: z.enum(['redis', 'inprocess']).default('redis'),
  KAFKA_BROKERS: env.brokers().optional(),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9._-]*$/, 'expected lowercase letters, digits, ".", "_" or "-"')
    .default(''),
  REDIS_URL: env.url(['redis', 'rediss']).optional(),
  // Environments (or test files) sharing one Redis keep their counters and caches apart.
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-z0-9._:-]*$/, 'expected lowercase letters, digits, ".", "_", ":" or "-"')
    .default(''),
  ATRIUM_IDENTITY_KEY: env.secret(32),
  LOG_LEVEL: env.logLevel(),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
});

export type PlatformEnv = z.infer<typeof platformEnvSchema>;
