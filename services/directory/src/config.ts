import { loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

export const directoryEnvSchema = platformEnvSchema.extend({});

export type DirectoryConfig = z.infer<typeof directoryEnvSchema>;

/** The only reader of process.env for the directory service. */
export function loadDirectoryConfig(environment: NodeJS.ProcessEnv = process.env): DirectoryConfig {
  return loadServiceConfig(directoryEnvSchema, environment);
}
