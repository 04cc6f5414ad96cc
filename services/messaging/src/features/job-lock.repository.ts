import { Tx } from '@atrium/platform';

/**
 * Periodic jobs take a transaction-scoped advisory lock per batch (like the outbox relay): a
 * replica that finds it taken leaves the round to the one holding it, and a crashed replica
 * never leaves a lock behind.
 */
export class JobLockRepository {
  async tryLock(tx: Tx, job: string): Promise<boolean> {
    const [{ locked }] = await tx.query<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [job]);
    return locked;
  }
}
