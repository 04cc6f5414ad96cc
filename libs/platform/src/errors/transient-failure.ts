import { DomainError } from './domain-error';

/** Node socket errors of a peer that is down, restarting or unreachable. */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTCONN',
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "never": the server shutting down or
 * starting (57P01-57P03), connection failures (class 08), too many connections, and a transaction
 * that lost a race (serialization failure, deadlock) and succeeds when run again.
 */
function isTransientSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '40001', '40P01'].includes(code);
}

/** node-postgres and pg-pool report a lost or unobtainable connection in these words, without a code. */
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection is not queryable|not queryable/i,
  /client has encountered a connection error/i,
  /server closed the connection unexpectedly/i,
  /connection is closed/i, // ioredis
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** kafkajs errors of a broker that is unreachable or busy electing a leader. */
const TRANSIENT_ERROR_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSGroupCoordinatorNotFound',
  'MaxRetriesPerRequestError', // ioredis
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  driverError?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

function isTransientOne(error: ErrorLike): boolean {
  if (error instanceof DomainError) return error.code === 'UNAVAILABLE';
  if (typeof error.code === 'string' && (TRANSIENT_SOCKET_CODES.has(error.code) || isTransientSqlState(error.code))) return true;
  if (typeof error.name === 'string' && TRANSIENT_ERROR_NAMES.has(error.name)) return true;
  // Other kafkajs errors carry the protocol's own verdict (leader not available, not coordinator …).
  if (typeof error.name === 'string' && error.name.startsWith('KafkaJS') && error.retriable === true) return true;
  const message = typeof error.message === 'string' ? error.message : '';
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Whether an error says a dependency (the database, the broker, Redis, another service) is
 * unreachable for now: the same work succeeds once it is back, so it is retried — never dead-lettered,
 * never answered as INTERNAL. Looks through the wrappers drivers put around the cause (TypeORM's
 * `driverError`, `cause`, kafkajs' `originalError`, an AggregateError's `errors`).
 */
export function isTransientFailure(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const e = error as ErrorLike;
  if (isTransientOne(e)) return true;
  const nested = [e.driverError, e.cause, e.originalError, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])];
  return nested.some((inner) => inner !== error && isTransientFailure(inner, depth + 1));
}

/** Seconds a client is told to wait before it retries a request refused as UNAVAILABLE. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/**
 * The one translation of an unexpected error into what callers see: a domain error stays as it
 * is; an unreachable dependency becomes UNAVAILABLE (retryable; HTTP 503 with Retry-After); the
 * rest is INTERNAL.
 */
export function toDomainError(error: unknown, internalMessage = 'internal error'): DomainError {
  if (error instanceof DomainError) return error;
  if (isTransientFailure(error)) {
    return new DomainError('UNAVAILABLE', 'a service Atrium depends on is unavailable; try again shortly', {
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
    });
  }
  return new DomainError('INTERNAL', internalMessage);
}
