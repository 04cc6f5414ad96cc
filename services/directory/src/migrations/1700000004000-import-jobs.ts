import { MigrationInterface, QueryRunner } from 'typeorm';

/** Bulk CSV imports of the directory: one row per job, its progress and its row errors. */
export class ImportJobs1700000004000 implements MigrationInterface {
  name = 'ImportJobs1700000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_jobs (
        corp_id        UUID NOT NULL REFERENCES corps(id),
        id             UUID NOT NULL DEFAULT gen_random_uuid(),
        kind           TEXT NOT NULL CHECK (kind IN ('members', 'departments')),
        mode           TEXT NOT NULL CHECK (mode IN ('all_or_nothing', 'partial')),
        status         TEXT NOT NULL CHECK (status IN ('validating', 'invalid', 'applying', 'done', 'failed')),
        total_rows     INTEGER NOT NULL DEFAULT 0,
        processed_rows INTEGER NOT NULL DEFAULT 0,
        error_count    INTEGER NOT NULL DEFAULT 0,
        -- The first 1,000 row errors, [{line, field, reason}]; error_count counts them all.
        errors         JSONB NOT NULL DEFAULT '[]',
        -- Why a job failed as a whole (a crash, a shutdown, a database error): not a row's fault.
        failure        TEXT,
        created_by     TEXT NOT NULL,
        created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        -- Refreshed by the process running the job; a stale one means that process died.
        heartbeat_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        finished_at    TIMESTAMPTZ,
        PRIMARY KEY (corp_id, id)
      )`);
    // One running import per corp: two at once would validate against each other's stale state.
    await q.query(`CREATE UNIQUE INDEX import_jobs_one_running ON import_jobs (corp_id) WHERE status IN ('validating', 'applying')`);
    await q.query(`CREATE INDEX import_jobs_heartbeat ON import_jobs (heartbeat_at) WHERE status IN ('validating', 'applying')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_jobs`);
  }
}
