import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { RequestContext } from '@atrium/platform';
import { Observable } from 'rxjs';
import { AuthenticatedRequest } from '../auth/authenticated.guard';

/**
 * Runs an authenticated handler inside the caller's RequestContext: gRPC clients sign that
 * identity onto outgoing calls and every log line carries it.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
    if (!caller) return next.handle();
    const identity = { corpId: caller.corpId, userId: caller.userId, roles: caller.roles };
    return new Observable((subscriber) => RequestContext.run(identity, () => next.handle().subscribe(subscriber)));
  }
}
