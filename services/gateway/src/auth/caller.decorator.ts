import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { DomainError } from '@atrium/platform';
import { AccessTokenClaims } from './access-tokens';
import { AuthenticatedRequest } from './authenticated.guard';

/** The caller the AuthenticatedGuard verified. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): AccessTokenClaims => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'not authenticated');
  return caller;
});
