import { z } from 'zod';
import { defineEvent } from './event-definition';
import { TOPICS } from './topics';

/** A session family was revoked: by logout, or because a rotated refresh token was replayed. */
export const SessionRevoked = defineEvent({
  type: 'gateway.session.revoked',
  version: 1,
  topic: TOPICS.gateway,
  key: (p) => `${p.corpId}:${p.userId}`,
  schema: z.object({
    corpId: z.string().min(1),
    userId: z.string().min(1),
    sessionId: z.string().min(1),
    reason: z.enum(['logout', 'refresh_token_reused']),
  }),
});

export const GATEWAY_EVENTS = [SessionRevoked] as const;
