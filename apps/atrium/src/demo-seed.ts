import { randomBytes } from 'node:crypto';
import { DomainError } from '@atrium/platform';
import { createCorp } from './corp-admin';
import { isSeeded, markSeeded } from './embedded-state';

/**
 * First start only: the demo corp (root department 1) with super admin `admin`. Returns the
 * password when it was generated, so the caller prints it once; undefined otherwise.
 */
export async function seedDemoCorp(
  dataDir: string,
  directoryUrl: string,
  identityKey: string,
  password?: string,
): Promise<{ generatedPassword?: string; seededNow: boolean }> {
  if (isSeeded(dataDir)) return { seededNow: false };
  const generatedPassword = password ? undefined : randomBytes(12).toString('base64url');
  try {
    await createCorp(directoryUrl, identityKey, {
      code: 'demo',
      name: 'Demo Corp',
      adminUserid: 'admin',
      adminName: 'Administrator',
      adminPassword: password ?? generatedPassword!,
    });
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'ALREADY_EXISTS')) throw error;
  }
  markSeeded(dataDir);
  return { generatedPassword, seededNow: true };
}

export function signInHint(seed: { generatedPassword?: string; seededNow: boolean }): string {
  if (seed.generatedPassword) return `password "${seed.generatedPassword}" (generated now, shown once: keep it)`;
  return seed.seededNow ? 'password from ATRIUM_ADMIN_PASSWORD' : 'password as set on first start';
}

/**
 * The demo app's secret for this start: ATRIUM_APP_SECRET, else one generated on the first start
 * only (printed once, like the admin password; later starts keep whatever the app has).
 */
export function demoAppSecret(configured: string | undefined, firstStart: boolean): { secret?: string; generated: boolean } {
  if (configured) return { secret: configured, generated: false };
  return firstStart ? { secret: randomBytes(32).toString('base64url'), generated: true } : { generated: false };
}

export function appHint(app: { secret?: string; generated: boolean }): string {
  if (app.generated) return `agentid 1000002, secret "${app.secret}" (generated now, shown once: keep it)`;
  return app.secret ? 'agentid 1000002, secret from ATRIUM_APP_SECRET' : 'agentid 1000002, secret as set on first start';
}
