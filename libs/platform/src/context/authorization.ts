import { DomainError } from '../errors';
import { CallerIdentity, RequestContext } from './request-context';

/** The verified caller of the current call; services never take identity from a request body. */
export function currentCaller(): CallerIdentity {
  const caller = RequestContext.current();
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'no caller identity');
  return caller;
}

export function requireRole(caller: CallerIdentity, ...anyOf: string[]): void {
  if (!anyOf.some((role) => caller.roles.includes(role))) {
    throw new DomainError('FORBIDDEN', `requires one of the roles: ${anyOf.join(', ')}`);
  }
}
