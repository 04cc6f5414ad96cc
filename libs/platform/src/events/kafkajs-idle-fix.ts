/**
 * kafkajs 2.2.4 (its last release) re-arms a timer for every connection after each check of its
 * request queue, even with nothing queued, and with a negative delay: every producer, admin and
 * consumer connection then wakes its process about once a millisecond forever. On this platform
 * that was most of what an idle service cost (tulios/kafkajs#1556; the fix below is the one
 * proposed in #1667, not released). A check is only scheduled while requests wait: those that
 * cannot go out at once (throttled, or too many in flight) are pushed onto `pending`, which
 * schedules it, and a fulfilled request checks the queue again anyway.
 */
import kafkajsPackage from 'kafkajs/package.json';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for a queue that waits without being throttled. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The kafkajs release this fix was written against; another one is left as it is. */
export const KAFKAJS_FIXED_VERSION = '2.2.4';

export function applyKafkajsIdleFix(): boolean {
  if (kafkajsPackage.version !== KAFKAJS_FIXED_VERSION) return false;
  // The request queue is internal to kafkajs: no typed entry point reaches it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
  return true;
}
