import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AccessTokenClaims } from './access-tokens';
import { BearerAuthenticator } from './bearer-authenticator';

export type AuthenticatedRequest = Request & { caller?: AccessTokenClaims };

/** HTTP side of BearerAuthenticator: the verified claims become `req.caller`. */
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  constructor(private readonly authenticator: BearerAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    req.caller = await this.authenticator.authenticate(BearerAuthenticator.fromHeader(req.headers.authorization));
    return true;
  }
}
