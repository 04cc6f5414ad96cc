import { randomUUID } from 'node:crypto';
import { deadLetterTopic } from '@atrium/contracts';
import { DLQ_HEADERS } from './event-consumer';
import { MessageBroker, ReceivedMessage } from './message-broker';
import { DeliveryAbandonedError } from './retry-backoff';

export interface ReplayOptions {
  /** The source topic (`messaging.messages`); its dead letters are read from `<topic>.dlq`. */
  topic: string;
  /** Only letters a given consumer group gave up on (`audit.archive`); all when absent. */
  group?: string;
  /** The replay ends once no letter has arrived for this long (default 5 s). */
  idleMs?: number;
}

/** Headers on a replayed event: the dead letter it came from, and the replay that sent it. */
export const REPLAY_HEADERS = { from: 'x-atrium-replayed-from', run: 'x-atrium-replay-run' } as const;

/**
 * Puts dead-lettered events back on their topic, once the cause (a bug, a missing row) is fixed.
 * The letters are read by one consumer group, so a letter is replayed once however often this
 * runs; the event keeps its id, so groups that had already handled it skip it (their inbox), and
 * only the group that gave up handles it again. An event that fails again comes back as a new
 * letter: the run ends there, leaving that letter (and any after it) unread for the next run
 * instead of looping. Returns how many letters were replayed.
 */
export async function replayDeadLetters(broker: MessageBroker, options: ReplayOptions): Promise<number> {
  const idleMs = options.idleMs ?? 5_000;
  const run = randomUUID();
  let replayed = 0;
  let metOwnLetter = false;
  let lastActivity = Date.now();
  const dropDlqHeaders = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !(Object.values(DLQ_HEADERS) as string[]).includes(name)));
  const subscription = await broker.subscribe({
    // Per filter: letters of other groups stay unread for a replay that wants them.
    groupId: `platform.dlq-replay${options.group ? `.${options.group}` : ''}`,
    topics: [deadLetterTopic(options.topic)],
    handle: async (letter: ReceivedMessage, control) => {
      lastActivity = Date.now();
      if (options.group && letter.headers[DLQ_HEADERS.group] !== options.group) return;
      if (letter.headers[REPLAY_HEADERS.run] === run) {
        // Held uncommitted until the run stops, so the next run starts with this letter.
        metOwnLetter = true;
        while (control.isActive()) await new Promise((resolve) => setTimeout(resolve, 50));
        throw new DeliveryAbandonedError();
      }
      await broker.publish([
        {
          topic: options.topic,
          key: letter.key,
          value: letter.value,
          headers: {
            ...dropDlqHeaders(letter.headers),
            [REPLAY_HEADERS.from]: letter.headers[DLQ_HEADERS.source] ?? '',
            [REPLAY_HEADERS.run]: run,
          },
        },
      ]);
      replayed++;
      lastActivity = Date.now();
    },
  });
  try {
    while (!metOwnLetter && Date.now() - lastActivity < idleMs) await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await subscription.stop();
  }
  return replayed;
}
