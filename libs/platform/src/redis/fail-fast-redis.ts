import Redis, { RedisOptions } from 'ioredis';

/** How long one command may take before its caller gets an error (a server that stopped answering). */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/**
 * A connection whose commands never wait for an outage to end. ioredis queues a command issued
 * while disconnected and fails it only after `maxRetriesPerRequest` reconnection attempts; with its
 * backoff at 2 s an attempt after a minute of outage, a send waited ~6 s on the realtime publish
 * after the revocation check had waited ~4 s. Here the offline queue serves only the first
 * connection (start-up must not race the connect); once ready, a command issued while
 * disconnected fails at once, and `commandTimeout` bounds one sent to a server that stopped
 * answering. Reconnection itself goes on in the background as before.
 */
export function createFailFastRedis(url: string, onError: (error: Error) => void, options: RedisOptions = {}): Redis {
  const connection = new Redis(url, {
    ...options,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    enableOfflineQueue: true,
  });
  // ioredis reads enableOfflineQueue on every command, so turning it off here takes effect at once.
  connection.once('ready', () => {
    connection.options.enableOfflineQueue = false;
  });
  connection.on('error', onError);
  return connection;
}

/**
 * A command that timed out leaves its connection suspect (a frozen server, a partition): dropping
 * it makes the commands after it fail at once, while disconnected, instead of each waiting out its
 * own timeout. ioredis reconnects in the background.
 */
export function dropIfTimedOut(connection: Redis, error: unknown): void {
  if (error instanceof Error && error.message === 'Command timed out' && connection.status === 'ready') connection.disconnect(true);
}
