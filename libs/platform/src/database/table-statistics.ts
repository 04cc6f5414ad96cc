import { EntityManager } from 'typeorm';
import { AppLogger } from '../logging';

/** Autovacuum's defaults (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor). */
const ANALYZE_THRESHOLD = 50;
const ANALYZE_SCALE_FACTOR = 0.1;

/**
 * Analyses those of `tables` that changed by more than autovacuum's rule allows (50 rows plus 10 %
 * of the table) since their statistics were last taken, one short statement each; returns their
 * names. PGlite (embedded mode) runs no autovacuum, so without this a table that grew from empty
 * keeps the statistics of an empty table, and a long-lived connection keeps the plans made for it:
 * measured on PGlite, a chunk of 100 members imported into one department took 0.2–0.4 s at 1,000
 * members and 0.4–1.2 s at 3,000, each chunk slower than the last; with an ANALYZE as the tables
 * grow, 35–400 ms at any size up to 5,000. On PostgreSQL autovacuum does this on its own, and
 * calling it there is harmless.
 */
export async function analyzeChangedTables(manager: EntityManager, tables?: readonly string[]): Promise<string[]> {
  // A backend reports its changes to the cumulative statistics at most once a second: what this
  // connection just committed would not count yet (PostgreSQL 15+; its next statement flushes).
  await manager.query(`SELECT pg_stat_force_next_flush()`);
  // reltuples is -1 until a table is first analysed (PostgreSQL 14+): count it as empty.
  const stale = await manager.query<{ relname: string }[]>(
    `SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname = current_schema() AND ($1::text[] IS NULL OR s.relname = ANY($1::text[]))
        AND s.n_mod_since_analyze > $2 + $3 * greatest(c.reltuples, 0)
      ORDER BY s.relname`,
    [tables ?? null, ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR],
  );
  for (const { relname } of stale) await manager.query(`ANALYZE ${quoteIdentifier(relname)}`);
  return stale.map((t) => t.relname);
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** How often a single-connection database's tables are checked; a check is one catalogue query. */
const UPKEEP_EVERY_MS = 30_000;

/**
 * Autovacuum's analyse for a database that has none (PGlite in embedded mode): every 30 s, the
 * service's tables that changed enough since they were last analysed are analysed. Each ANALYZE
 * samples at most 30,000 rows, so it holds the single connection briefly whatever the table's
 * size. Without it every service's tables keep the statistics of their first start, empty, and
 * the plans made for them (the directory's import slowed down chunk after chunk for that reason;
 * in the same run the audit service's callers waited over 120 s for its connection while it
 * archived the import's events). Returns a stop function.
 */
export function keepStatisticsCurrent(manager: EntityManager, logger: AppLogger, everyMs = UPKEEP_EVERY_MS): () => Promise<void> {
  let round: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    round = analyzeChangedTables(manager).catch((error: unknown) =>
      logger.warn({ err: error }, 'table statistics: could not analyse the changed tables; next round retries'),
    );
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await round;
  };
}
