import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trigram indexes of member search, for databases migrated while pg_trgm was not available:
 * embedded mode loads the extension into PGlite only since this migration, so its existing data
 * directories gain fuzzy and typo search on upgrade. Where pg_trgm is still missing (a PostgreSQL
 * without contrib), search keeps its plain substring scan, as MemberSearch1700000003000 says.
 */
export class MemberSearchTrigram1700000005000 implements MigrationInterface {
  name = 'MemberSearchTrigram1700000005000';

  async up(q: QueryRunner): Promise<void> {
    const available = (await q.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'`)) as unknown[];
    if (available.length === 0) return;
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // The definitions of MemberSearch1700000003000, which a database migrated with pg_trgm has already.
    await q.query(
      `CREATE INDEX IF NOT EXISTS member_search_terms_trgm ON member_search_terms USING gin (term gin_trgm_ops)
        WHERE field <> 'pinyin_initials'`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS member_search_terms_trgm_words ON member_search_terms USING gin (term gin_trgm_ops)
        WHERE NOT partial AND field IN ('userid', 'name', 'alias', 'name_en', 'pinyin')`,
    );
  }

  async down(): Promise<void> {
    // The indexes may predate this migration (MemberSearch1700000003000 creates them where it can).
  }
}
