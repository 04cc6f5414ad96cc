import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who a department reaches with its subtree, precomputed: one row per active member and per
 * department on the paths of that member's departments (at most 15 levels each). Resolving a
 * subtree (ResolveRecipients, the 20,000-member case the issue measures) is then one range of
 * this primary key, already distinct and in userid byte order, instead of collecting the
 * subtree's memberships, de-duplicating and sorting them on every call (bench/README.md).
 *
 * Triggers keep it exact whichever path writes (the service, bulk imports, the benchmark's
 * seed): a change of a member's departments, of their status, or of a department's path
 * recomputes the members concerned, in the same transaction.
 */
export class SubtreeMembers1700000007000 implements MigrationInterface {
  name = 'SubtreeMembers1700000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subtree_members (
        corp_id       UUID NOT NULL,
        department_id INTEGER NOT NULL,
        -- Byte order: a subtree's page is a plain range of the key, as ResolveRecipients pages.
        userid        TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (corp_id, department_id, userid)
      )`);
    await q.query(`CREATE INDEX subtree_members_member ON subtree_members (corp_id, userid)`);
    // One member at a time, in key order: every statement is an index lookup whatever the
    // statistics say (an all-or-nothing import writes 100,000 members in one transaction, where
    // they lag far behind: set-based joins then turn into repeated scans), and concurrent
    // refreshes lock members in the same order. Each member's refresh is serialised by that row
    // lock, after which its statements read what an earlier refresh committed (read committed
    // takes a snapshot per statement).
    await q.query(`
      CREATE FUNCTION subtree_members_refresh(corp_ids UUID[], userids TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        member RECORD;
      BEGIN
        FOR member IN SELECT DISTINCT c.corp_id, c.userid FROM unnest(corp_ids, userids) AS c(corp_id, userid) ORDER BY 1, 2 LOOP
          PERFORM 1 FROM members WHERE corp_id = member.corp_id AND userid = member.userid FOR UPDATE;
          DELETE FROM subtree_members WHERE corp_id = member.corp_id AND userid = member.userid;
          INSERT INTO subtree_members (corp_id, department_id, userid)
          SELECT DISTINCT m.corp_id, a.department_id, m.userid
            FROM members m
            JOIN member_departments md ON md.corp_id = m.corp_id AND md.userid = m.userid
            JOIN departments d ON d.corp_id = md.corp_id AND d.id = md.department_id
            CROSS JOIN unnest(d.path) AS a(department_id)
           WHERE m.corp_id = member.corp_id AND m.userid = member.userid AND m.status = 'active'
          ON CONFLICT DO NOTHING;
        END LOOP;
      END $$`);
    // Statement-level with transition tables: a statement's changed members are refreshed once
    // each, however many of their rows it touched (a member's departments are replaced at once).
    await q.query(`
      CREATE FUNCTION subtree_members_on_memberships() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM subtree_members_refresh(array_agg(corp_id), array_agg(userid)) FROM (SELECT DISTINCT corp_id, userid FROM changed) c;
        RETURN NULL;
      END $$`);
    for (const [event, table] of [
      ['INSERT', 'NEW'],
      ['UPDATE', 'NEW'],
      ['DELETE', 'OLD'],
    ]) {
      await q.query(`
        CREATE TRIGGER member_departments_subtrees_${event.toLowerCase()} AFTER ${event} ON member_departments
          REFERENCING ${table} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION subtree_members_on_memberships()`);
    }
    await q.query(`
      CREATE FUNCTION subtree_members_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM subtree_members_refresh(array_agg(n.corp_id), array_agg(n.userid))
           FROM after_update n JOIN before_update o ON o.corp_id = n.corp_id AND o.userid = n.userid
          WHERE n.status IS DISTINCT FROM o.status;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER members_subtrees AFTER UPDATE ON members REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
        FOR EACH STATEMENT EXECUTE FUNCTION subtree_members_on_status()`);
    // A move rewrites the paths of the moved subtree (one statement): its members' ancestors change.
    await q.query(`
      CREATE FUNCTION subtree_members_on_paths() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM subtree_members_refresh(array_agg(corp_id), array_agg(userid)) FROM (
          SELECT DISTINCT md.corp_id, md.userid
            FROM after_update n
            JOIN before_update o ON o.corp_id = n.corp_id AND o.id = n.id
            JOIN member_departments md ON md.corp_id = n.corp_id AND md.department_id = n.id
           WHERE n.path IS DISTINCT FROM o.path) moved;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER departments_subtrees AFTER UPDATE ON departments REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
        FOR EACH STATEMENT EXECUTE FUNCTION subtree_members_on_paths()`);
    // The members there are already, in one set-based statement (the tables' statistics are current here).
    await q.query(`
      INSERT INTO subtree_members (corp_id, department_id, userid)
      SELECT DISTINCT md.corp_id, a.department_id, md.userid
        FROM member_departments md
        JOIN members m ON m.corp_id = md.corp_id AND m.userid = md.userid AND m.status = 'active'
        JOIN departments d ON d.corp_id = md.corp_id AND d.id = md.department_id
        CROSS JOIN unnest(d.path) AS a(department_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER departments_subtrees ON departments`);
    await q.query(`DROP TRIGGER members_subtrees ON members`);
    for (const event of ['insert', 'update', 'delete'])
      await q.query(`DROP TRIGGER member_departments_subtrees_${event} ON member_departments`);
    await q.query(`DROP FUNCTION subtree_members_on_paths(), subtree_members_on_status(), subtree_members_on_memberships()`);
    await q.query(`DROP FUNCTION subtree_members_refresh(UUID[], TEXT[])`);
    await q.query(`DROP TABLE subtree_members`);
  }
}
