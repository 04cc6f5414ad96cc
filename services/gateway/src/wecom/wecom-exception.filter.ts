import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { AppLogger, currentTraceId, DomainError, LOGGER } from '@atrium/platform';
import type { Request, Response } from 'express';
import { WecomApi, wecomFailureFor } from './wecom-errcodes';
import { ERRCODE, Errcode, WecomError } from './wecom-error';

function apiOf(path: string): WecomApi {
  const [, , family, name] = path.split('/');
  if (family === 'message' && name === 'update_template_card') return 'template_card';
  return family === 'department' ||
    family === 'user' ||
    family === 'message' ||
    family === 'appchat' ||
    family === 'media' ||
    family === 'msgaudit'
    ? family
    : 'other';
}

/**
 * The /cgi-bin/ controllers' only error mapping: WeCom integrations expect HTTP 200 with
 * `{errcode, errmsg}` for every failure, never the native envelope and never a 500.
 */
@Catch()
export class WecomExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const { errcode, errmsg } = this.describe(exception, apiOf(req.path));
    const traceId = currentTraceId();
    http
      .getResponse<Response>()
      .status(200)
      .json({ errcode, errmsg: traceId ? `${errmsg}, hint: [${traceId}]` : errmsg });
  }

  private describe(exception: unknown, api: WecomApi): { errcode: Errcode; errmsg: string } {
    if (exception instanceof WecomError) return { errcode: exception.errcode, errmsg: exception.errmsg };
    if (exception instanceof DomainError) {
      const failure = wecomFailureFor(exception, api);
      if (failure.errcode === ERRCODE.BUSY) this.logger.error({ err: exception }, 'WeCom API call failed');
      return failure;
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return { errcode: ERRCODE.INVALID_PARAMETER, errmsg: exception.message };
    }
    this.logger.error({ err: exception }, 'unhandled error in the WeCom API');
    return { errcode: ERRCODE.BUSY, errmsg: 'system busy' };
  }
}
