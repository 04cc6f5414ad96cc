import { loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

export const approvalEnvSchema = platformEnvSchema.extend({});

export type ApprovalConfig = z.infer<typeof approvalEnvSchema>;

/** The only reader of process.env for the approval service. */
export function loadApprovalConfig(environment: NodeJS.ProcessEnv = process.env): ApprovalConfig {
  return loadServiceConfig(approvalEnvSchema, environment);
}
