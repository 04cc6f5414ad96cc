import { MigrationInterface, QueryRunner } from 'typeorm';

export class CorpPolicies1700000011000 implements MigrationInterface {
  name = 'CorpPolicies1700000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE corp_policies (
        corp_id                   TEXT PRIMARY KEY,
        members_may_create_groups BOOLEAN NOT NULL,
        recall_window_seconds     INTEGER NOT NULL,
        max_group_members         INTEGER NOT NULL,
        watermark_enabled         BOOLEAN NOT NULL,
        watermark_template        TEXT NOT NULL,
        updated_by                TEXT NOT NULL,
        updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE corp_policies`);
  }
}
