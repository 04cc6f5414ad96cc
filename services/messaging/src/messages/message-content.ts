import { ValidationError } from '@atrium/platform';
import { z } from 'zod';
import { MessageType } from './message';

const mediaId = z.string().min(1).max(256);
const url = z.url({ protocol: /^https?$/ }).max(2048);

/** The fields of each message type; unknown fields are refused so clients cannot smuggle data. */
const CONTENT: Record<MessageType, z.ZodType<Record<string, unknown>>> = {
  text: z.strictObject({
    text: z.string().min(1).max(10_000),
    mentions: z.array(z.string().min(1).max(64)).max(1_000).default([]),
    mentionAll: z.boolean().default(false),
  }),
  image: z.strictObject({ mediaId, width: z.number().int().positive().optional(), height: z.number().int().positive().optional() }),
  voice: z.strictObject({ mediaId, durationSeconds: z.number().int().min(1).max(60) }),
  video: z.strictObject({ mediaId, durationSeconds: z.number().int().min(1).max(3_600), thumbMediaId: mediaId.optional() }),
  file: z.strictObject({ mediaId, name: z.string().min(1).max(255), size: z.number().int().nonnegative() }),
  location: z.strictObject({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    title: z.string().max(128).default(''),
    address: z.string().max(256).default(''),
  }),
  link: z.strictObject({ url, title: z.string().min(1).max(128), description: z.string().max(512).default(''), imageUrl: url.optional() }),
  schedule_card: z.strictObject({
    title: z.string().min(1).max(128),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    place: z.string().max(256).default(''),
    attendees: z.array(z.string().min(1)).min(1).max(1_000),
  }),
  todo_card: z.strictObject({
    title: z.string().min(1).max(256),
    assignees: z.array(z.string().min(1)).min(1).max(100),
    dueAt: z.iso.datetime({ offset: true }).optional(),
  }),
  template_card: z.strictObject({
    title: z.string().min(1).max(128),
    description: z.string().max(1_024).default(''),
    buttons: z
      .array(z.strictObject({ key: z.string().min(1).max(64), text: z.string().min(1).max(32) }))
      .max(6)
      .default([]),
  }),
};

export function parseContent(type: string, json: string): { type: MessageType; content: Record<string, unknown> } {
  if (!(type in CONTENT)) throw new ValidationError(`type must be one of ${Object.keys(CONTENT).join(', ')}`, { field: 'type' });
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ValidationError('content_json is not valid JSON', { field: 'content_json' });
  }
  const parsed = CONTENT[type as MessageType].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join('.');
    throw new ValidationError(`content${path ? `.${path}` : ''}: ${issue.message}`, { field: `content${path ? `.${path}` : ''}` });
  }
  return { type: type as MessageType, content: parsed.data };
}
