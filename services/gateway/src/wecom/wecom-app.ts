import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { CallerIdentity } from '@atrium/platform';
import { ERRCODE, WecomError } from './wecom-error';
import { identityFor, WecomRequest } from './wecom-request';

/** The app an access token speaks for (after WecomAccessGuard). */
export interface WecomAppIdentity {
  caller: CallerIdentity;
  agentid: number;
}

/**
 * Only an app's token may message: the directory-sync secret is a directory credential, not an
 * app (WeCom answers 48002, api forbidden, as it does for its contacts-sync secret).
 */
export const WecomApp = createParamDecorator((_: unknown, context: ExecutionContext): WecomAppIdentity => {
  const grant = context.switchToHttp().getRequest<WecomRequest>().wecomGrant;
  if (!grant) throw new WecomError(ERRCODE.MISSING_ACCESS_TOKEN, 'access_token missing');
  if (grant.owner.kind !== 'app') throw new WecomError(ERRCODE.API_UNAUTHORIZED, 'api forbidden: use the secret of an app');
  return { caller: identityFor(grant), agentid: grant.owner.agentid };
});

/** message/send names its app; it must be the token's (WeCom 301002). */
export function requireOwnAgentid(app: WecomAppIdentity, agentid: number): void {
  if (agentid !== app.agentid)
    throw new WecomError(ERRCODE.APP_AGENTID_MISMATCH, `no privilege to access app ${agentid}: the access_token is app ${app.agentid}'s`);
}
