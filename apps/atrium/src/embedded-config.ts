import { env, loadConfig } from '@atrium/platform';
import { z } from 'zod';

export const embeddedEnvSchema = z.object({
  PORT: env.port(8080),
  /** Where the gateway listens; the internal gRPC servers always stay on loopback. */
  HOST: z.string().min(1).default('0.0.0.0'),
  ATRIUM_DATA_DIR: z.string().min(1).default('./data'),
  ATRIUM_ADMIN_PASSWORD: z.string().min(8, 'expected at least 8 characters').max(128).optional(),
  /** The demo corp's directory-sync secret for the WeCom-compatible API (/cgi-bin/gettoken). */
  ATRIUM_SYNC_SECRET: z.string().min(16, 'expected at least 16 characters').max(256).optional(),
  /** The secret of the demo corp's app (agentid 1000002, visible to the whole corp); generated on first start when unset. */
  ATRIUM_APP_SECRET: z.string().min(16, 'expected at least 16 characters').max(256).optional(),
  LOG_LEVEL: env.logLevel(),
});

export type EmbeddedConfig = z.infer<typeof embeddedEnvSchema>;

export function loadEmbeddedConfig(environment: NodeJS.ProcessEnv = process.env): EmbeddedConfig {
  return loadConfig(embeddedEnvSchema, environment);
}
