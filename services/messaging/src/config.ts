import { env, loadServiceConfig, platformEnvSchema } from '@atrium/platform';
import { z } from 'zod';

export const messagingEnvSchema = platformEnvSchema.extend({
  DIRECTORY_GRPC_URL: env.hostPort(),
  /** Default group cap; a corp may raise it to 10,000 for all-staff groups. */
  MESSAGING_MAX_GROUP_MEMBERS: z.coerce.number().int().min(2).max(10_000).default(2_000),
  /** How long a sender may recall a message. */
  MESSAGING_RECALL_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  /** The largest upload a corp's media limits may allow, in bytes (the defaults are WeCom's: 2-20 MB). */
  MESSAGING_MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(20 * 1024 * 1024, 'expected at least 20971520 (20 MB, the default file limit)')
    .default(1024 * 1024 * 1024),
});

export type MessagingConfig = z.infer<typeof messagingEnvSchema>;

/** The only reader of process.env for the messaging service. */
export function loadMessagingConfig(environment: NodeJS.ProcessEnv = process.env): MessagingConfig {
  return loadServiceConfig(messagingEnvSchema, environment);
}

export const MESSAGING_CONFIG = Symbol('atrium.messaging.config');
