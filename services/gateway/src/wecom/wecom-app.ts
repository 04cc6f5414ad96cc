import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { CallerIdentity } from '@atrium/platform';
import { ERRCODE, WecomError } from './wecom-error';
import { identityFor, WecomRequest } from './wecom-request';

/** The app an access token speaks for (after WecomAccessGuard). */
export interface WecomAppIdentity {
  caller: CallerIdentity;
  agentid: number;
}

/** The app of a route marked WecomAppsOnly, whose guard has refused every other token. */
export const WecomApp = createParamDecorator((_: unknown, context: ExecutionContext): WecomAppIdentity => {
  const grant = context.switchToHttp().getRequest<WecomRequest>().wecomGrant;
  if (!grant) throw new WecomError(ERRCODE.MISSING_ACCESS_TOKEN, 'access_token missing');
  if (grant.owner.kind !== 'app') throw new Error('WecomApp on a route without WecomAppsOnly');
  return { caller: identityFor(grant), agentid: grant.owner.agentid };
});

/** message/send names its app; it must be the token's (WeCom 301002). */
export function requireOwnAgentid(app: WecomAppIdentity, agentid: number): void {
  if (agentid !== app.agentid)
    throw new WecomError(ERRCODE.APP_AGENTID_MISMATCH, `no privilege to access app ${agentid}: the access_token is app ${app.agentid}'s`);
}
