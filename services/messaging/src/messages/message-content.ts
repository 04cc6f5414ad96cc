import { ValidationError } from '@atrium/platform';
import { z } from 'zod';
import { MessageType } from './message';

const mediaId = z.string().min(1).max(256);
const url = z.url({ protocol: /^https?$/ }).max(2048);
/** WeCom counts its limits in UTF-8 bytes (a Chinese character is 3). */
const utf8 = (min: number, max: number) =>
  z.string().refine((s) => Buffer.byteLength(s, 'utf8') >= min && Buffer.byteLength(s, 'utf8') <= max, {
    message: `must be ${min}-${max} bytes of UTF-8`,
  });

/** The fields of each message type; unknown fields are refused so clients cannot smuggle data. */
const CONTENT: Record<MessageType, z.ZodType<Record<string, unknown>>> = {
  text: z.strictObject({
    text: z.string().min(1).max(10_000),
    mentions: z.array(z.string().min(1).max(64)).max(1_000).default([]),
    mentionAll: z.boolean().default(false),
  }),
  image: z.strictObject({ mediaId, width: z.number().int().positive().optional(), height: z.number().int().positive().optional() }),
  // Duration, name and size are optional: WeCom's message/send names only the media, and the
  // registry knows a file's name and size (it overrides what a client claims).
  voice: z.strictObject({ mediaId, durationSeconds: z.number().int().min(1).max(60).optional() }),
  video: z.strictObject({ mediaId, durationSeconds: z.number().int().min(1).max(3_600).optional(), thumbMediaId: mediaId.optional() }),
  file: z.strictObject({ mediaId, name: z.string().min(1).max(255).optional(), size: z.number().int().nonnegative().optional() }),
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
    /** WeCom's task_id: the app's own id for the card, echoed in the click callback (TaskId). */
    taskId: z
      .string()
      .regex(/^[A-Za-z0-9_\-@]{1,128}$/)
      .optional(),
  }),
  // WeCom's app message types (message/send), with WeCom's limits.
  textcard: z.strictObject({ title: utf8(1, 128), description: utf8(1, 512), url, btntxt: z.string().max(4).default('') }),
  news: z.strictObject({
    articles: z
      .array(
        z.strictObject({
          title: utf8(1, 128),
          description: utf8(0, 512).default(''),
          url: url.optional(),
          picurl: url.optional(),
          appid: z.string().max(64).optional(),
          pagepath: z.string().max(1_024).optional(),
        }),
      )
      .min(1)
      .max(8),
  }),
  markdown: z.strictObject({ content: utf8(1, 2_048) }),
  // Written by the server only: a notice (a screenshot was taken) and a merged forward.
  system: z.strictObject({ event: z.enum(['screenshot']), userid: z.string().min(1) }),
  chat_record: z.strictObject({ title: z.string().max(128), items: z.array(z.record(z.string(), z.unknown())).min(1).max(100) }),
};

const SERVER_ONLY_TYPES: readonly string[] = ['system', 'chat_record'];

// PostgreSQL's text and jsonb cannot hold U+0000 (22P05) nor a surrogate without its pair: such a
// send would fail only in the database, after it was grouped with other senders' sends.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path of the first string (or key) in `value` that PostgreSQL cannot store; undefined if none.
 * Iterative: a 16 KiB frame can nest thousands of levels deep, more than the call stack holds.
 */
function unstorablePath(value: unknown): (string | number)[] | undefined {
  // Each entry links to its parent, so a path is built only for the culprit.
  interface Step {
    value: unknown;
    key?: string | number;
    parent?: Step;
  }
  const pathOf = (step: Step | undefined, last?: string): (string | number)[] => {
    const path: (string | number)[] = last === undefined ? [] : [last];
    for (let s = step; s?.key !== undefined; s = s.parent) path.unshift(s.key);
    return path;
  };
  const pending: Step[] = [{ value }];
  for (let step = pending.pop(); step; step = pending.pop()) {
    const item = step.value;
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item)) return pathOf(step);
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i -= 1) pending.push({ value: item[i], key: i, parent: step });
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item);
      for (const [key] of entries) if (UNSTORABLE.test(key)) return pathOf(step, key);
      for (let i = entries.length - 1; i >= 0; i -= 1) pending.push({ value: entries[i][1], key: entries[i][0], parent: step });
    }
  }
  return undefined;
}

export function parseContent(type: string, json: string): { type: MessageType; content: Record<string, unknown> } {
  if (!(type in CONTENT)) throw new ValidationError(`type must be one of ${Object.keys(CONTENT).join(', ')}`, { field: 'type' });
  if (SERVER_ONLY_TYPES.includes(type)) throw new ValidationError(`${type} messages are written by the server only`, { field: 'type' });
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ValidationError('content_json is not valid JSON', { field: 'content_json' });
  }
  const unstorable = unstorablePath(raw);
  if (unstorable) {
    const field = ['content', ...unstorable].join('.');
    throw new ValidationError(`${field}: must not contain NUL characters or unpaired surrogates`, { field, reason: 'UNSTORABLE_TEXT' });
  }
  const parsed = CONTENT[type as MessageType].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join('.');
    throw new ValidationError(`content${path ? `.${path}` : ''}: ${issue.message}`, { field: `content${path ? `.${path}` : ''}` });
  }
  return { type: type as MessageType, content: parsed.data };
}
