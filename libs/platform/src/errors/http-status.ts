import { ErrorCode } from './domain-error';

export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 400;
    case 'UNAUTHENTICATED':
    case 'INVALID_CREDENTIALS':
    case 'TOKEN_EXPIRED':
    case 'REFRESH_TOKEN_REUSED':
      return 401;
    case 'ACCOUNT_DISABLED':
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
    case 'CORP_NOT_FOUND':
      return 404;
    case 'ALREADY_EXISTS':
    case 'CONFLICT':
      return 409;
    case 'PRECONDITION_FAILED':
      return 412;
    case 'DEPARTMENT_NOT_EMPTY':
    case 'DEPARTMENT_CYCLE':
    case 'DEPARTMENT_TOO_DEEP':
    case 'LIMIT_EXCEEDED':
    case 'MEMBER_OFFBOARDED':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'RATE_LIMITED':
      return 429;
    case 'UNAVAILABLE':
      return 503;
    case 'INTERNAL':
      return 500;
    default: {
      const unhandled: never = code;
      throw new Error(`no HTTP status for error code ${String(unhandled)}`);
    }
  }
}
