/**
 * An error's details travel in trailing metadata, whose values grpc-js refuses unless they are
 * printable ASCII (only `-bin` keys take bytes). Details often carry what the caller sent — a
 * userid, an attribute name — so they are JSON with everything outside printable ASCII escaped as
 * `\uXXXX`: still JSON, decoded by JSON.parse alone.
 */
export function encodeErrorDetails(details: Record<string, unknown>): string {
  return JSON.stringify(details).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The details of a remote error; undefined when absent or not a JSON object. */
export function decodeErrorDetails(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const details = JSON.parse(value) as unknown;
    return typeof details === 'object' && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
