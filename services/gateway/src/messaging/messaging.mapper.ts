import { messagingV1 } from '@atrium/contracts';

/** A message as REST and WebSocket clients see it: content as JSON, null once recalled. */
export function toMessageResponse(m: messagingV1.Message | undefined) {
  if (!m) return undefined;
  const { contentJson, cardStateJson, ...rest } = m;
  return {
    ...rest,
    content: contentJson ? (JSON.parse(contentJson) as Record<string, unknown>) : null,
    // Cards: their current state as the caller sees it (see GET …/messages/{seq}/card).
    ...(cardStateJson ? { cardState: JSON.parse(cardStateJson) as Record<string, unknown> } : {}),
  };
}
