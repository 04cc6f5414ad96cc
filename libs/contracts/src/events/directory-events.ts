import { z } from 'zod';
import { defineEvent } from './event-definition';
import { TOPICS } from './topics';

export const CorpCreated = defineEvent({
  type: 'directory.corp.created',
  version: 1,
  topic: TOPICS.directory,
  key: (p) => p.corpId,
  schema: z.object({
    corpId: z.string().min(1),
    code: z.string().min(1),
    name: z.string().min(1),
    adminUserId: z.string().min(1),
  }),
});

export const MemberAuthenticated = defineEvent({
  type: 'directory.member.authenticated',
  version: 1,
  topic: TOPICS.directory,
  key: (p) => `${p.corpId}:${p.userId}`,
  schema: z.object({
    corpId: z.string().min(1),
    userId: z.string().min(1),
    clientIp: z.string().optional(),
  }),
});

export const DIRECTORY_EVENTS = [CorpCreated, MemberAuthenticated] as const;
