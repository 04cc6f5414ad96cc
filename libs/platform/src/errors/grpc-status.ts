import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorCode } from './domain-error';

export function grpcStatusFor(code: ErrorCode): GrpcStatus {
  switch (code) {
    case 'VALIDATION_FAILED':
      return GrpcStatus.INVALID_ARGUMENT;
    case 'UNAUTHENTICATED':
    case 'INVALID_CREDENTIALS':
    case 'TOKEN_EXPIRED':
    case 'REFRESH_TOKEN_REUSED':
      return GrpcStatus.UNAUTHENTICATED;
    case 'ACCOUNT_DISABLED':
    case 'FORBIDDEN':
      return GrpcStatus.PERMISSION_DENIED;
    case 'NOT_FOUND':
    case 'CORP_NOT_FOUND':
      return GrpcStatus.NOT_FOUND;
    case 'ALREADY_EXISTS':
      return GrpcStatus.ALREADY_EXISTS;
    case 'CONFLICT':
      return GrpcStatus.ABORTED;
    case 'PRECONDITION_FAILED':
    case 'DEPARTMENT_NOT_EMPTY':
    case 'DEPARTMENT_CYCLE':
    case 'DEPARTMENT_TOO_DEEP':
    case 'MEMBER_OFFBOARDED':
      return GrpcStatus.FAILED_PRECONDITION;
    case 'LIMIT_EXCEEDED':
    case 'PAYLOAD_TOO_LARGE':
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 'RATE_LIMITED':
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 'UNAVAILABLE':
      return GrpcStatus.UNAVAILABLE;
    case 'INTERNAL':
      return GrpcStatus.INTERNAL;
    default: {
      const unhandled: never = code;
      throw new Error(`no gRPC status for error code ${String(unhandled)}`);
    }
  }
}

/** Used when a gRPC error arrives without our code in its metadata (e.g. a transport failure). */
export function errorCodeForGrpcStatus(status: number): ErrorCode {
  switch (status as GrpcStatus) {
    case GrpcStatus.INVALID_ARGUMENT:
      return 'VALIDATION_FAILED';
    case GrpcStatus.UNAUTHENTICATED:
      return 'UNAUTHENTICATED';
    case GrpcStatus.PERMISSION_DENIED:
      return 'FORBIDDEN';
    case GrpcStatus.NOT_FOUND:
      return 'NOT_FOUND';
    case GrpcStatus.ALREADY_EXISTS:
      return 'ALREADY_EXISTS';
    case GrpcStatus.ABORTED:
      return 'CONFLICT';
    case GrpcStatus.FAILED_PRECONDITION:
      return 'PRECONDITION_FAILED';
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return 'RATE_LIMITED';
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
      return 'UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}
