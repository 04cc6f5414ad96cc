import { CallerIdentity, DomainError } from '@atrium/platform';

const APP_USERID = /^app:([1-9][0-9]{0,9})$/;
/** The directory-sync credential speaks as `app:directory-sync` with this role: it is not an app. */
const DIRECTORY_SYNC_ROLE = 'directory_sync';

/**
 * The agentid of a calling app. The identity is the gateway's signature of the app's access
 * token (`app:<agentid>`); a member can never carry it (userids have no colon), and nothing in a
 * request body names the sender.
 */
export function appAgentidOf(caller: CallerIdentity): number {
  const match = APP_USERID.exec(caller.userId);
  if (!match || caller.roles.includes(DIRECTORY_SYNC_ROLE))
    throw new DomainError('FORBIDDEN', 'only an app may do this', { reason: 'NOT_AN_APP' });
  const agentid = Number(match[1]);
  if (agentid > 2_147_483_647) throw new DomainError('FORBIDDEN', 'only an app may do this', { reason: 'NOT_AN_APP' });
  return agentid;
}

export const appSender = (agentid: number) => `app:${agentid}`;

/** A userid list as the services keep it: trimmed, lower-case, distinct, no blanks. */
export const normaliseUserids = (ids: string[]) => [...new Set(ids.map((u) => u.trim().toLowerCase()).filter(Boolean))];
