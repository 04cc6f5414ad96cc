import { env, loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

const positiveInt = (fallback: number, what: string) =>
  z.coerce
    .number({ message: `expected ${what}` })
    .int(`expected ${what}`)
    .positive(`expected ${what}`)
    .default(fallback);

export const gatewayEnvSchema = platformEnvSchema.extend({
  /** The public port; HTTP_PORT is accepted too, PORT wins (what PaaS and embedded mode set). */
  PORT: env.port().optional(),
  JWT_SECRET: env.secret(32),
  JWT_ISSUER: z.string().min(1).default('atrium'),
  JWT_AUDIENCE: z.string().min(1).default('atrium-api'),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt(900, 'a positive number of seconds'),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * 24 * 3600, 'a positive number of seconds'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5, 'a positive count'),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(50, 'a positive count'),
  LOGIN_FAILURE_WINDOW_SECONDS: positiveInt(900, 'a positive number of seconds'),
  TRUST_PROXY: z
    .enum(['true', 'false'], { message: 'expected true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  DIRECTORY_GRPC_URL: env.hostPort(),
  MESSAGING_GRPC_URL: env.hostPort(),
  APPROVAL_GRPC_URL: env.hostPort(),
  REPORT_GRPC_URL: env.hostPort(),
  AUDIT_GRPC_URL: env.hostPort(),
  /** Lifetime of the WeCom-compatible API's access tokens (WeCom's own is 7200 s). */
  WECOM_ACCESS_TOKEN_TTL_SECONDS: positiveInt(7200, 'a positive number of seconds'),
  /**
   * A directory-sync secret the gateway installs for the corp with code ATRIUM_SYNC_SECRET_CORP,
   * at start and when that corp is created (embedded mode's demo corp).
   */
  ATRIUM_SYNC_SECRET: z.string().min(16, 'expected at least 16 characters').max(256).optional(),
  ATRIUM_SYNC_SECRET_CORP: z.string().min(1).default('demo'),
});

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;

/** The only reader of process.env for the gateway. */
export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = loadServiceConfig(gatewayEnvSchema, environment);
  return config.PORT === undefined ? config : { ...config, HTTP_PORT: config.PORT };
}

export const GATEWAY_CONFIG = Symbol('atrium.gateway.config');
