const DAY_MS = 86_400_000;

/**
 * The first instant a corp still keeps: the start of today (UTC) minus the retention. Data keys
 * are per UTC day, so retention works in whole days: everything before this is past retention.
 */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - retentionDays * DAY_MS);
}
