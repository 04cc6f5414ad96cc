import { loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

export const reportEnvSchema = platformEnvSchema.extend({});

export type ReportConfig = z.infer<typeof reportEnvSchema>;

/** The only reader of process.env for the report service. */
export function loadReportConfig(environment: NodeJS.ProcessEnv = process.env): ReportConfig {
  return loadServiceConfig(reportEnvSchema, environment);
}
