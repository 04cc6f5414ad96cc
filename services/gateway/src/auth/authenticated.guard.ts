import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '@atrium/platform';
import type { Request } from 'express';
import { AccessTokenClaims, AccessTokens } from './access-tokens';
import { SessionRevocations } from './session-revocations';

export type AuthenticatedRequest = Request & { caller?: AccessTokenClaims };

/** Bearer access token: signature, algorithm, iss/aud/exp, and not revoked by logout or theft. */
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  constructor(
    private readonly accessTokens: AccessTokens,
    private readonly revocations: SessionRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new DomainError('UNAUTHENTICATED', 'missing bearer access token');
    const claims = this.accessTokens.verify(match[1]);
    if (await this.revocations.isRevoked(claims.sessionId)) throw new DomainError('UNAUTHENTICATED', 'session has been revoked');
    req.caller = claims;
    return true;
  }
}
