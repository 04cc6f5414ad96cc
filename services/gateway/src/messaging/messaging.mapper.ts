import { messagingV1 } from '@atrium/contracts';

/** A message as REST and WebSocket clients see it: content as JSON, null once recalled. */
export function toMessageResponse(m: messagingV1.Message | undefined) {
  if (!m) return undefined;
  const { contentJson, ...rest } = m;
  return { ...rest, content: contentJson ? (JSON.parse(contentJson) as Record<string, unknown>) : null };
}
