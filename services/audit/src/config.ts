import { loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

export const auditEnvSchema = platformEnvSchema.extend({});

export type AuditConfig = z.infer<typeof auditEnvSchema>;

/** The only reader of process.env for the audit service. */
export function loadAuditConfig(environment: NodeJS.ProcessEnv = process.env): AuditConfig {
  return loadServiceConfig(auditEnvSchema, environment);
}
