import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest writes every index of the archive once per record, so each one has to pay for itself.
 * `audit_search_index`'s primary key (corp_id, seq) did not: every read of the index goes by its
 * terms (GIN) or by `audit_search_time` (corp_id, occurred_at, seq), and an index row is only ever
 * written together with its record (whose own key is unique), so nothing needs the uniqueness.
 * Joins to a record carry `occurred_at` as well and are answered by `audit_search_time`.
 */
export class AuditIngestIndexes1700000006300 implements MigrationInterface {
  name = 'AuditIngestIndexes1700000006300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_search_index DROP CONSTRAINT audit_search_index_pkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_search_index ADD PRIMARY KEY (corp_id, seq)`);
  }
}
