import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { Metadata } from '@grpc/grpc-js';
import type { Response } from 'express';
import { Observable, of, throwError } from 'rxjs';
import { DomainError, ErrorCode, grpcStatusFor, httpStatusFor, toDomainError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../errors';
import { encodeErrorDetails, ERROR_CODE_HEADER, ERROR_DETAILS_HEADER, isServerStreamCall } from '../grpc';
import { AppLogger } from '../logging';
import { currentTraceId } from '../telemetry';

function codeForHttpStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 400 && status < 500) return 'VALIDATION_FAILED';
  return 'INTERNAL';
}

/**
 * The one error mapping of every service. Over HTTP an error leaves as
 * `{ code, message, details?, traceId }` with its mapped status; over gRPC as the mapped status
 * with the stable code (and details) in trailing metadata, which the gRPC client turns back into
 * the same DomainError on the caller's side.
 */
@Catch()
export class PlatformErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<undefined> | void {
    if (host.getType() === 'rpc') {
      const failure = this.toGrpc(exception);
      // Nest awaits a stream handler's last value but delivers nothing from it: the status goes on
      // the call, and the handler counts as settled.
      const call = host.switchToRpc().getData<unknown>();
      if (!isServerStreamCall(call)) return throwError(() => failure);
      call.emit('error', failure);
      return of(undefined);
    }
    this.toHttp(exception, host);
  }

  private toGrpc(exception: unknown): { code: number; message: string; details: string; metadata: Metadata } {
    const metadata = new Metadata();
    const error = toDomainError(exception);
    if (!(exception instanceof DomainError)) this.logger.error({ err: exception, code: error.code }, 'unhandled error in gRPC handler');
    metadata.set(ERROR_CODE_HEADER, error.code);
    if (error.details) metadata.set(ERROR_DETAILS_HEADER, encodeErrorDetails(error.details));
    return { code: grpcStatusFor(error.code), message: error.message, details: error.message, metadata };
  }

  private toHttp(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const traceId = currentTraceId();
    if (exception instanceof DomainError) {
      this.sendDomainError(res, exception, traceId);
      return;
    }
    if (exception instanceof HttpException) {
      // Framework-level rejections: unknown route, malformed JSON, body too large.
      const status = exception.getStatus();
      const message =
        status === 404 ? 'no such endpoint' : status === 400 ? `malformed request: ${printable(exception.message)}` : exception.message;
      res.status(status).json({ code: codeForHttpStatus(status), message, traceId });
      return;
    }
    const bodyParserError = exception as { type?: string; status?: number; message?: string };
    if (typeof bodyParserError.status === 'number' && bodyParserError.status >= 400 && bodyParserError.status < 500) {
      res.status(bodyParserError.status).json({
        code: 'VALIDATION_FAILED',
        message: bodyParserError.status === 413 ? 'request body is too large' : printable(bodyParserError.message ?? 'bad request'),
        traceId,
      });
      return;
    }
    const error = toDomainError(exception);
    this.logger.error({ err: exception, code: error.code }, 'unhandled error');
    this.sendDomainError(res, error, traceId);
  }

  private sendDomainError(res: Response, error: DomainError, traceId: string | undefined): void {
    const status = httpStatusFor(error.code);
    const retryAfter = error.details?.retryAfterSeconds;
    // A 503 always says when to come back, so clients and proxies retry instead of giving up.
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    else if (status === 503) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    if (status >= 500) this.logger.error({ err: error }, 'request failed');
    res.status(status).json({ code: error.code, message: error.message, details: error.details, traceId });
  }
}

/** A parser's message quotes the client's bytes: control characters go back as `\uXXXX`, never raw. */
function printable(message: string): string {
  return message
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/\p{Cc}/gu, (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
