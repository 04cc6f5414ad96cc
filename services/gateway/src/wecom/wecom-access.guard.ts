import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ERRCODE, WecomError } from './wecom-error';
import { WecomRequest } from './wecom-request';
import { WecomTokens } from './wecom-tokens';

const APPS_ONLY = 'atrium:wecom-apps-only';

/**
 * On a /cgi-bin/ controller or route: only an app's token may call it. The directory-sync secret
 * is a directory credential, not an app (WeCom answers 48002, api forbidden, as it does for its
 * contacts-sync secret).
 */
export const WecomAppsOnly = () => SetMetadata(APPS_ONLY, true);

/**
 * `?access_token=` of every /cgi-bin/ call but gettoken: missing 41001, unknown 40014, expired 42001;
 * on a route marked WecomAppsOnly, a token that is not an app's 48002. The one check of a token.
 */
@Injectable()
export class WecomAccessGuard implements CanActivate {
  constructor(
    private readonly tokens: WecomTokens,
    private readonly reflector: Reflector,
  ) {}

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
    const appsOnly = this.reflector.getAllAndOverride<boolean | undefined>(APPS_ONLY, [context.getHandler(), context.getClass()]);
    if (appsOnly && lookup.grant.owner.kind !== 'app')
      throw new WecomError(ERRCODE.API_UNAUTHORIZED, 'api forbidden: use the secret of an app');
    req.wecomGrant = lookup.grant;
    return true;
  }
}
