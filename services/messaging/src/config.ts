import { loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

export const messagingEnvSchema = platformEnvSchema.extend({});

export type MessagingConfig = z.infer<typeof messagingEnvSchema>;

/** The only reader of process.env for the messaging service. */
export function loadMessagingConfig(environment: NodeJS.ProcessEnv = process.env): MessagingConfig {
  return loadServiceConfig(messagingEnvSchema, environment);
}
