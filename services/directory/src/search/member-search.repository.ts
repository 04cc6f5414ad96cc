import { Tx } from '@atrium/platform';
import { FIELDS_BY_PRIORITY, SearchableMember, SearchField, SearchTerm } from './search-terms';

export type MatchKind = 'exact' | 'prefix' | 'fuzzy';

export interface RankedHit {
  userid: string;
  match: MatchKind;
  field: SearchField;
}

export interface TermLookup {
  /** The normalised query. */
  text: string;
  /** Long enough for a substring or typo stage (a shorter one is too broad, and has no trigram). */
  fuzzy: boolean;
  /** Best hits wanted. */
  limit: number;
  /**
   * Terms read per stage. A prefix like "z" matches a third of a large corp: the prefix stage then
   * ranks the first `candidates` terms in term order rather than all of them, so latency stays
   * flat; typing one more letter narrows it.
   */
  candidates: number;
}

export interface MemberToIndex extends SearchableMember {
  corpId: string;
}

/** trigram: pg_trgm indexes substrings and typos; substring: no pg_trgm (plain PGlite), LIKE on a scan, no typos. */
export type FuzzyMode = 'trigram' | 'substring';

const RANKS: MatchKind[] = ['exact', 'prefix', 'fuzzy'];
// Sorts after every term that starts with the query: the prefix stage is one btree range.
const MAX_CODE_POINT = String.fromCodePoint(0x10ffff);
// Stricter than pg_trgm's 0.3, which on pinyin matches thousands of unrelated names.
const TYPO_SIMILARITY = 0.4;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

// Parameters every statement shares: $1 corp, $2 query, $3 limit, $4 field order.
// Best hit per member (rank, then the most specific field), then the members' order: rank,
// active before disabled, name. Offboarded members have no terms; the join re-checks it anyway.
const RANK_MEMBERS = `
    hits AS (
      SELECT DISTINCT ON (h.userid) h.userid, h.field, h.rank
        FROM candidates h
       ORDER BY h.userid, h.rank, array_position($4::text[], h.field)
    )
    SELECT h.userid, h.field, h.rank
      FROM hits h JOIN members m ON m.corp_id = $1 AND m.userid = h.userid
     WHERE m.status <> 'offboarded'
     ORDER BY h.rank, m.status = 'disabled', m.name, m.userid
     LIMIT $3`;

/**
 * Exact and prefix hits come from one range scan of the (corp_id, term) btree (an exact term sorts
 * first in its range): $5 bounds the range, $6 caps the terms read. Substring hits ($7 is the LIKE
 * pattern) are looked for only when those did not fill the page.
 */
function searchStatement(fuzzy: FuzzyMode | undefined): string {
  const substringStage = fuzzy
    ? `UNION ALL (
         SELECT t.userid, t.field, 2 AS rank
           FROM member_search_terms t
          WHERE t.corp_id = $1 AND t.field <> 'pinyin_initials' AND t.term LIKE $7
            AND (SELECT count(DISTINCT p.userid) FROM prefixed p WHERE p.rank < 2) < $3
          LIMIT $6)`
    : '';
  return `
    WITH prefixed AS (
      SELECT t.userid, t.field, CASE WHEN t.partial THEN 2 WHEN t.term = $2 THEN 0 ELSE 1 END AS rank
        FROM member_search_terms t
       WHERE t.corp_id = $1 AND t.term >= $2 AND t.term < $5
       ORDER BY t.term
       LIMIT $6
    ), candidates AS (
      SELECT * FROM prefixed ${substringStage}
    ), ${RANK_MEMBERS}`;
}

// The closest $5 terms. The predicate repeats the partial trigram index's, so the planner uses it.
const SIMILAR_STATEMENT = `
    WITH candidates AS (
      SELECT t.userid, t.field, 2 AS rank
        FROM member_search_terms t
       WHERE t.corp_id = $1 AND t.term % $2 AND NOT t.partial AND t.field IN ('userid', 'name', 'alias', 'name_en', 'pinyin')
       ORDER BY similarity(t.term, $2) DESC
       LIMIT $5
    ), ${RANK_MEMBERS}`;

type Row = { userid: string; field: SearchField; rank: number };
const toHits = (rows: Row[]): RankedHit[] => rows.map((r) => ({ userid: r.userid, field: r.field, match: RANKS[r.rank] }));

export class MemberSearchRepository {
  private fuzzyMode?: Promise<FuzzyMode>;

  /** Exact, prefix and (for long enough queries) substring hits, best first. */
  async search(tx: Tx, corpId: string, lookup: TermLookup): Promise<RankedHit[]> {
    const fuzzy = lookup.fuzzy ? await this.detectFuzzyMode(tx) : undefined;
    const parameters: unknown[] = [corpId, lookup.text, lookup.limit, FIELDS_BY_PRIORITY, lookup.text + MAX_CODE_POINT, lookup.candidates];
    if (fuzzy) parameters.push(`%${escapeLike(lookup.text)}%`);
    return toHits(await tx.query<Row[]>(searchStatement(fuzzy), parameters));
  }

  /**
   * Terms a typo away from the query (trigram similarity). Costly where trigrams are common, so the
   * caller asks only when nothing else matched; in a transaction, which alone gets the threshold.
   */
  async searchSimilar(tx: Tx, corpId: string, lookup: TermLookup): Promise<RankedHit[]> {
    if (!lookup.fuzzy || (await this.detectFuzzyMode(tx)) !== 'trigram') return [];
    await tx.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(TYPO_SIMILARITY)]);
    return toHits(await tx.query<Row[]>(SIMILAR_STATEMENT, [corpId, lookup.text, lookup.limit, FIELDS_BY_PRIORITY, lookup.candidates]));
  }

  async deleteTerms(tx: Tx, corpId: string, userid: string): Promise<void> {
    await tx.query(`DELETE FROM member_search_terms WHERE corp_id = $1 AND userid = $2`, [corpId, userid]);
  }

  async deleteTermsOfMany(tx: Tx, members: { corpId: string; userid: string }[]): Promise<void> {
    if (members.length === 0) return;
    await tx.query(
      `DELETE FROM member_search_terms t USING unnest($1::uuid[], $2::text[]) AS m(corp_id, userid)
        WHERE t.corp_id = m.corp_id AND t.userid = m.userid`,
      [members.map((m) => m.corpId), members.map((m) => m.userid)],
    );
  }

  /** One statement for any number of rows (of any members): arrays in, unnest in SQL. */
  async insertTerms(tx: Tx, rows: (SearchTerm & { corpId: string; userid: string })[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO member_search_terms (corp_id, userid, term, field, partial)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bool[])`,
      [rows.map((r) => r.corpId), rows.map((r) => r.userid), rows.map((r) => r.term), rows.map((r) => r.field), rows.map((r) => r.partial)],
    );
  }

  /**
   * Members that are searchable but have no terms yet (they predate the index), locked so that a
   * concurrent write of the same member waits; the caller then re-indexes each row as it is now
   * (replacing whatever terms that write left).
   */
  async lockUnindexed(tx: Tx, limit: number): Promise<MemberToIndex[]> {
    const rows = await tx.query<
      { corp_id: string; userid: string; name: string; alias: string; name_en: string; mobile: string; email: string }[]
    >(
      `SELECT m.corp_id, m.userid, m.name, m.alias, m.name_en, m.mobile, m.email
         FROM members m
        WHERE m.status <> 'offboarded'
          AND NOT EXISTS (SELECT 1 FROM member_search_terms t WHERE t.corp_id = m.corp_id AND t.userid = m.userid)
        ORDER BY m.corp_id, m.userid
        LIMIT $1
          FOR UPDATE OF m`,
      [limit],
    );
    return rows.map((r) => ({
      corpId: r.corp_id,
      userid: r.userid,
      name: r.name,
      alias: r.alias,
      nameEn: r.name_en,
      mobile: r.mobile,
      email: r.email,
    }));
  }

  /** The trigram indexes exist only where pg_trgm was available to the migration (not in plain PGlite). */
  private detectFuzzyMode(tx: Tx): Promise<FuzzyMode> {
    this.fuzzyMode ??= tx
      .query<unknown[]>(`SELECT 1 FROM pg_indexes WHERE indexname = 'member_search_terms_trgm_words' AND schemaname = current_schema()`)
      .then((rows): FuzzyMode => (rows.length > 0 ? 'trigram' : 'substring'))
      .catch((error: unknown) => {
        this.fuzzyMode = undefined;
        throw error;
      });
    return this.fuzzyMode;
  }
}
