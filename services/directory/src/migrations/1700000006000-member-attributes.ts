import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom member attributes (扩展属性) become per-corp definitions: members.extattrs holds values of
 * defined attributes only. Values stored before this migration were free-form; each name a corp's
 * members already carry becomes a definition (of the type most of them used), so nothing stored
 * turns invalid and an integration that wrote them keeps working.
 */
export class MemberAttributes1700000006000 implements MigrationInterface {
  name = 'MemberAttributes1700000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE member_attributes (
        corp_id    UUID NOT NULL REFERENCES corps(id),
        name       TEXT NOT NULL,
        type       TEXT NOT NULL CHECK (type IN ('text', 'url')),
        sort_order BIGINT NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, name)
      )`);
    // Names are case-insensitive, as WeCom's are: "Badge" and "badge" are one attribute.
    await q.query(`CREATE UNIQUE INDEX member_attributes_name ON member_attributes (corp_id, lower(name))`);
    await q.query(`
      INSERT INTO member_attributes (corp_id, name, type, sort_order)
      SELECT DISTINCT ON (corp_id, lower(name)) corp_id, name, type, 0
        FROM (SELECT m.corp_id, a->>'name' AS name, CASE WHEN a->>'type' = 'url' THEN 'url' ELSE 'text' END AS type, count(*) AS uses
                FROM members m CROSS JOIN jsonb_array_elements(m.extattrs) AS a
               WHERE coalesce(a->>'name', '') <> ''
               GROUP BY 1, 2, 3) used
       ORDER BY corp_id, lower(name), uses DESC, type`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE member_attributes`);
  }
}
