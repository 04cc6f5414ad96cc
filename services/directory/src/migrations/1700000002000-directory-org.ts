import { MigrationInterface, QueryRunner } from 'typeorm';

/** The organisation: the department tree, the member badge, tags, admin scopes, customers, transfers. */
export class DirectoryOrg1700000002000 implements MigrationInterface {
  name = 'DirectoryOrg1700000002000';

  async up(q: QueryRunner): Promise<void> {
    // A materialised path (ids from the root down) makes subtree reads one indexed query and makes
    // a cycle check a membership test; moves rewrite the paths of the moved subtree only.
    await q.query(`
      ALTER TABLE departments
        ADD COLUMN name_en TEXT NOT NULL DEFAULT '',
        ADD COLUMN path INTEGER[] NOT NULL DEFAULT '{}',
        ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        ALTER COLUMN sort_order TYPE BIGINT`);
    await q.query(`UPDATE departments SET path = ARRAY[id] WHERE parent_id IS NULL`);
    await q.query(`CREATE UNIQUE INDEX departments_sibling_name ON departments (corp_id, coalesce(parent_id, 0), lower(name))`);
    await q.query(`CREATE INDEX departments_path ON departments USING gin (path)`);
    await q.query(`CREATE INDEX departments_parent ON departments (corp_id, parent_id)`);
    await q.query(`
      CREATE TABLE department_leaders (
        corp_id       UUID NOT NULL,
        department_id INTEGER NOT NULL,
        userid        TEXT NOT NULL,
        PRIMARY KEY (corp_id, department_id, userid),
        FOREIGN KEY (corp_id, department_id) REFERENCES departments (corp_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX department_leaders_user ON department_leaders (corp_id, userid)`);

    // userids are stored lower-case (WeCom treats them case-insensitively and returns them so).
    await q.query(`UPDATE members SET userid = lower(userid)`);
    await q.query(`
      ALTER TABLE members
        ADD COLUMN alias TEXT NOT NULL DEFAULT '',
        ADD COLUMN name_en TEXT NOT NULL DEFAULT '',
        ADD COLUMN position TEXT NOT NULL DEFAULT '',
        ADD COLUMN mobile TEXT NOT NULL DEFAULT '',
        ADD COLUMN email TEXT NOT NULL DEFAULT '',
        ADD COLUMN telephone TEXT NOT NULL DEFAULT '',
        ADD COLUMN gender SMALLINT NOT NULL DEFAULT 0,
        ADD COLUMN avatar TEXT NOT NULL DEFAULT '',
        ADD COLUMN employee_no TEXT NOT NULL DEFAULT '',
        ADD COLUMN address TEXT NOT NULL DEFAULT '',
        ADD COLUMN extattrs JSONB NOT NULL DEFAULT '[]',
        ADD COLUMN direct_leaders TEXT[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE UNIQUE INDEX members_mobile ON members (corp_id, mobile) WHERE mobile <> ''`);
    await q.query(`CREATE UNIQUE INDEX members_email ON members (corp_id, lower(email)) WHERE email <> ''`);
    await q.query(`CREATE INDEX members_direct_leaders ON members USING gin (direct_leaders)`);
    await q.query(`
      CREATE TABLE member_departments (
        corp_id       UUID NOT NULL,
        userid        TEXT NOT NULL,
        department_id INTEGER NOT NULL,
        is_leader     BOOLEAN NOT NULL DEFAULT false,
        sort_order    BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (corp_id, userid, department_id),
        FOREIGN KEY (corp_id, userid) REFERENCES members (corp_id, userid) ON DELETE CASCADE ON UPDATE CASCADE,
        FOREIGN KEY (corp_id, department_id) REFERENCES departments (corp_id, id)
      )`);
    await q.query(`CREATE INDEX member_departments_department ON member_departments (corp_id, department_id, userid)`);
    await q.query(`INSERT INTO member_departments (corp_id, userid, department_id) SELECT corp_id, userid, main_department FROM members`);

    await q.query(`
      CREATE TABLE tags (
        corp_id UUID NOT NULL REFERENCES corps(id),
        id      INTEGER NOT NULL,
        name    TEXT NOT NULL,
        PRIMARY KEY (corp_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX tags_name ON tags (corp_id, lower(name))`);
    await q.query(`
      CREATE TABLE tag_members (
        corp_id UUID NOT NULL, tag_id INTEGER NOT NULL, userid TEXT NOT NULL,
        PRIMARY KEY (corp_id, tag_id, userid),
        FOREIGN KEY (corp_id, tag_id) REFERENCES tags (corp_id, id) ON DELETE CASCADE,
        FOREIGN KEY (corp_id, userid) REFERENCES members (corp_id, userid) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE tag_departments (
        corp_id UUID NOT NULL, tag_id INTEGER NOT NULL, department_id INTEGER NOT NULL,
        PRIMARY KEY (corp_id, tag_id, department_id),
        FOREIGN KEY (corp_id, tag_id) REFERENCES tags (corp_id, id) ON DELETE CASCADE,
        FOREIGN KEY (corp_id, department_id) REFERENCES departments (corp_id, id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE admin_scopes (
        corp_id        UUID NOT NULL,
        userid         TEXT NOT NULL,
        role           TEXT NOT NULL CHECK (role IN ('super_admin', 'sub_admin')),
        department_ids INTEGER[] NOT NULL DEFAULT '{}',
        permissions    TEXT[] NOT NULL DEFAULT '{}',
        updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, userid),
        FOREIGN KEY (corp_id, userid) REFERENCES members (corp_id, userid) ON DELETE CASCADE
      )`);
    await q.query(
      `INSERT INTO admin_scopes (corp_id, userid, role) SELECT corp_id, userid, 'super_admin' FROM members WHERE 'super_admin' = ANY (roles)`,
    );

    await q.query(`
      CREATE TABLE external_contacts (
        corp_id      UUID NOT NULL,
        id           UUID NOT NULL DEFAULT gen_random_uuid(),
        owner_userid TEXT NOT NULL,
        name         TEXT NOT NULL,
        company      TEXT NOT NULL DEFAULT '',
        mobile       TEXT NOT NULL DEFAULT '',
        email        TEXT NOT NULL DEFAULT '',
        notes        TEXT NOT NULL DEFAULT '',
        tags         TEXT[] NOT NULL DEFAULT '{}',
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, id)
      )`);
    await q.query(`CREATE INDEX external_contacts_owner ON external_contacts (corp_id, owner_userid)`);

    await q.query(`
      CREATE TABLE transfer_records (
        corp_id          UUID NOT NULL,
        id               UUID NOT NULL DEFAULT gen_random_uuid(),
        userid           TEXT NOT NULL,
        successor_userid TEXT NOT NULL,
        resource_type    TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        transferred      INTEGER NOT NULL DEFAULT 0,
        detail           TEXT NOT NULL DEFAULT '',
        created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, id),
        UNIQUE (corp_id, userid, resource_type)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'transfer_records',
      'external_contacts',
      'admin_scopes',
      'tag_departments',
      'tag_members',
      'tags',
      'member_departments',
      'department_leaders',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX members_direct_leaders`);
    await q.query(`DROP INDEX members_email`);
    await q.query(`DROP INDEX members_mobile`);
    await q.query(`
      ALTER TABLE members DROP COLUMN alias, DROP COLUMN name_en, DROP COLUMN position, DROP COLUMN mobile, DROP COLUMN email,
        DROP COLUMN telephone, DROP COLUMN gender, DROP COLUMN avatar, DROP COLUMN employee_no, DROP COLUMN address,
        DROP COLUMN extattrs, DROP COLUMN direct_leaders`);
    await q.query(`DROP INDEX departments_parent`);
    await q.query(`DROP INDEX departments_path`);
    await q.query(`DROP INDEX departments_sibling_name`);
    await q.query(`ALTER TABLE departments DROP COLUMN name_en, DROP COLUMN path, DROP COLUMN updated_at`);
  }
}
