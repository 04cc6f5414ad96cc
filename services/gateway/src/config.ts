import { ConfigError, env, loadServiceConfig, platformEnvSchema } from '@atrium/platform';
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
  /**
   * The secret of app 1000002 of that same corp (created seeing the whole corp if missing):
   * embedded mode's demo app, which sends messages through /cgi-bin/message/send.
   */
  ATRIUM_APP_SECRET: z.string().min(16, 'expected at least 16 characters').max(256).optional(),
  /**
   * Event callbacks to apps (services/gateway/src/callbacks). Optional here, defaulted in
   * callbackSettings(): loopback and private addresses are refused unless this is true (SSRF).
   */
  ATRIUM_CALLBACKS_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false'], { message: 'expected true or false' }).optional(),
  /** Tries per event before it is recorded as failed (default 5, over about a minute). */
  ATRIUM_CALLBACKS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).optional(),
  /** Delay before the second try; it doubles each time (default 4000 ms: 4 + 8 + 16 + 32 s). */
  ATRIUM_CALLBACKS_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).optional(),
  /** How long an app may take to answer one try (default 5000 ms, WeCom's limit). */
  ATRIUM_CALLBACKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).optional(),
  /** How often a gateway replica looks for due deliveries (default 1000 ms). */
  ATRIUM_CALLBACKS_POLL_MS: z.coerce.number().int().min(10).max(60_000).optional(),
  /**
   * Where uploaded media goes (services/gateway/src/media): `fs`, a directory (embedded mode, or one
   * replica with a volume), or `s3`, an S3-compatible bucket (every replica of a cluster). Optional
   * here, defaulted in blobStoreSettings(): fs under ./data/blobs.
   */
  ATRIUM_BLOB_STORE: z.enum(['fs', 's3'], { message: 'expected fs or s3' }).optional(),
  ATRIUM_BLOB_DIR: z.string().min(1).optional(),
  /** Default: AWS S3 of the region, https://s3.<region>.amazonaws.com. */
  ATRIUM_S3_ENDPOINT: env.url(['http', 'https']).optional(),
  ATRIUM_S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'expected a region such as us-east-1')
    .optional(),
  ATRIUM_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 lower-case letters, digits, "." or "-")')
    .optional(),
  ATRIUM_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  ATRIUM_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** `true`: https://endpoint/bucket/key (MinIO and most self-hosted stores); `false`: https://bucket.endpoint/key. */
  ATRIUM_S3_FORCE_PATH_STYLE: z.enum(['true', 'false'], { message: 'expected true or false' }).optional(),
  /** Where an upload is staged (counted, hashed, held to its limit) before it goes to S3; the system temp dir by default. */
  ATRIUM_S3_SPOOL_DIR: z.string().min(1).optional(),
  /** The built web client (`npm run build:web`), served at `/` (default dist/apps/web under the working directory); nothing is served there when it has no index.html. */
  ATRIUM_WEB_ROOT: z.string().min(1).optional(),
});

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;

/** The only reader of process.env for the gateway. */
export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = loadServiceConfig(gatewayEnvSchema, environment);
  if (config.ATRIUM_BLOB_STORE === 's3') {
    const missing = (['ATRIUM_S3_BUCKET', 'ATRIUM_S3_ACCESS_KEY_ID', 'ATRIUM_S3_SECRET_ACCESS_KEY'] as const).filter((k) => !config[k]);
    if (missing.length > 0) throw new ConfigError(missing.map((k) => `${k} is missing: required when ATRIUM_BLOB_STORE=s3`));
  }
  return config.PORT === undefined ? config : { ...config, HTTP_PORT: config.PORT };
}

export const GATEWAY_CONFIG = Symbol('atrium.gateway.config');
