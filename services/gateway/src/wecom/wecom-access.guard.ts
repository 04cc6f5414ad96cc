import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ERRCODE, WecomError } from './wecom-error';
import { WecomRequest } from './wecom-request';
import { WecomTokens } from './wecom-tokens';

/** `?access_token=` of every /cgi-bin/ call but gettoken: missing 41001, unknown 40014, expired 42001. */
@Injectable()
export class WecomAccessGuard implements CanActivate {
  constructor(private readonly tokens: WecomTokens) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WecomRequest>();
    const token = req.query.access_token;
    if (typeof token !== 'string' || token === '') throw new WecomError(ERRCODE.MISSING_ACCESS_TOKEN, 'access_token missing');
    const lookup = await this.tokens.resolve(token);
    if ('error' in lookup) {
      throw lookup.error === 'expired'
        ? new WecomError(ERRCODE.ACCESS_TOKEN_EXPIRED, 'access_token expired')
        : new WecomError(ERRCODE.INVALID_ACCESS_TOKEN, 'invalid access_token');
    }
    req.wecomGrant = lookup.grant;
    return true;
  }
}
