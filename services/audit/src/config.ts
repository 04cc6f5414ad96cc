import { ConfigError, env, loadConfig, loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

export const auditEnvSchema = platformEnvSchema.extend({
  /**
   * Base64 of 32 random bytes (`openssl rand -base64 32`): the root of every archive key. Without
   * it (embedded mode, tests) one is derived from ATRIUM_IDENTITY_KEY — fine on one machine, but
   * a cluster must set it, back it up and keep it apart from the identity key.
   */
  ATRIUM_AUDIT_MASTER_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'expected base64 of exactly 32 bytes (openssl rand -base64 32)')
    .optional(),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: env.seconds(300),
  AUDIT_RETENTION_SWEEP_INTERVAL_SECONDS: env.seconds(3600),
});

export type AuditConfig = z.infer<typeof auditEnvSchema>;

/** The only reader of process.env for the audit service. */
export function loadAuditConfig(environment: NodeJS.ProcessEnv = process.env): AuditConfig {
  return loadServiceConfig(auditEnvSchema, environment);
}

export const auditCliEnvSchema = z.object({
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  ATRIUM_AUDIT_MASTER_KEY: auditEnvSchema.shape.ATRIUM_AUDIT_MASTER_KEY,
  /** Only when the service runs without a master key (embedded mode): the key derives from it. */
  ATRIUM_IDENTITY_KEY: env.secret(32).optional(),
});

export type AuditCliConfig = z.infer<typeof auditCliEnvSchema>;

/** The audit CLI's environment: the archive's database and its root key. */
export function loadAuditCliConfig(environment: NodeJS.ProcessEnv = process.env): AuditCliConfig {
  const config = loadConfig(auditCliEnvSchema, environment);
  if (!config.ATRIUM_AUDIT_MASTER_KEY && !config.ATRIUM_IDENTITY_KEY) {
    throw new ConfigError(['ATRIUM_AUDIT_MASTER_KEY is missing (or ATRIUM_IDENTITY_KEY, for an embedded-mode archive)']);
  }
  return config;
}
