import type { RefusalReason } from '@atrium/contracts';

/**
 * Stable error codes shared by every service. A service throws a DomainError with one of these;
 * each transport maps it exhaustively (gRPC status here, HTTP status in the gateway).
 * Adding a code forces every mapping to handle it: the mappings switch over this union with a
 * `never` check.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'TOKEN_EXPIRED',
  'REFRESH_TOKEN_REUSED',
  'ACCOUNT_DISABLED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CORP_NOT_FOUND',
  'ALREADY_EXISTS',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'DEPARTMENT_NOT_EMPTY',
  'DEPARTMENT_CYCLE',
  'DEPARTMENT_TOO_DEEP',
  'LIMIT_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'MEMBER_OFFBOARDED',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Free-form context of a refusal; its `reason`, when given, is one of the catalogue's (RefusalReason). */
export type ErrorDetails = Record<string, unknown> & { reason?: RefusalReason };

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, details?: ErrorDetails) {
    super('NOT_FOUND', `${what} not found`, details);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: ErrorDetails) {
    super('ALREADY_EXISTS', message, details);
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: ErrorDetails) {
    super('VALIDATION_FAILED', message, details);
  }
}
