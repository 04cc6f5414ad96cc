import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The member search index: one row per way a member can be found (name, userid, pinyin, …),
 * written by the application in the same transaction as the member (pinyin cannot be computed in
 * SQL). Members that exist before this migration are indexed by the service's start-up backfill.
 */
export class MemberSearch1700000003000 implements MigrationInterface {
  name = 'MemberSearch1700000003000';

  async up(q: QueryRunner): Promise<void> {
    // COLLATE "C" compares bytes: a prefix is a plain range on the btree whatever the database's
    // locale, and ORDER BY term is the index order.
    await q.query(`
      CREATE TABLE member_search_terms (
        corp_id UUID NOT NULL,
        userid  TEXT NOT NULL,
        term    TEXT COLLATE "C" NOT NULL,
        field   TEXT NOT NULL,
        partial BOOLEAN NOT NULL DEFAULT false,
        PRIMARY KEY (corp_id, userid, term),
        FOREIGN KEY (corp_id, userid) REFERENCES members (corp_id, userid) ON DELETE CASCADE ON UPDATE CASCADE
      )`);
    // Exact and prefix lookups read this index alone (index-only scans).
    await q.query(`CREATE INDEX member_search_terms_term ON member_search_terms (corp_id, term) INCLUDE (userid, field, partial)`);
    // Not search, but the same benchmark found it: ResolveRecipients keeps active members by
    // excluding the few inactive ones, a small hash from this partial index instead of a join
    // with every member of the corp (recipients.repository.ts).
    await q.query(`CREATE INDEX members_inactive ON members (corp_id, userid) WHERE status <> 'active'`);
    // Fuzzy matching needs pg_trgm. PGlite only has it when the extension is loaded into the
    // instance; without it search does exact, prefix and a plain substring scan, and no typos.
    const available = (await q.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'`)) as unknown[];
    if (available.length > 0) {
      await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
      // Substrings ("xiaoming" in "zengxiaoming", "zhangsan" in "ex-zhangsan@…"): LIKE '%q%' is an
      // AND of trigrams, cheap even where trigrams are common. Initials are too short to contain anything.
      await q.query(
        `CREATE INDEX member_search_terms_trgm ON member_search_terms USING gin (term gin_trgm_ops) WHERE field <> 'pinyin_initials'`,
      );
      // Typos (similarity) read every posting list of the query's trigrams, and pinyin is made of a
      // few hundred syllables whose trigrams recur in most names: a narrower index keeps that last
      // resort affordable.
      await q.query(
        `CREATE INDEX member_search_terms_trgm_words ON member_search_terms USING gin (term gin_trgm_ops)
          WHERE NOT partial AND field IN ('userid', 'name', 'alias', 'name_en', 'pinyin')`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX members_inactive`);
    await q.query(`DROP TABLE member_search_terms`);
  }
}
