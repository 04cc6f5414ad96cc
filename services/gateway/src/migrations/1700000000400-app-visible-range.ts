import { MigrationInterface, QueryRunner } from 'typeorm';

export class AppVisibleRange1700000000400 implements MigrationInterface {
  name = 'AppVisibleRange1700000000400';

  async up(q: QueryRunner): Promise<void> {
    // Who an app may see and message (WeCom's 可见范围): members, departments with their subtrees,
    // tags. Empty for the apps that exist already: they reach nobody until an admin says whom.
    await q.query(`
      ALTER TABLE open_api_apps
        ADD COLUMN description            TEXT NOT NULL DEFAULT '',
        ADD COLUMN visible_userids        TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN visible_department_ids INTEGER[] NOT NULL DEFAULT '{}',
        ADD COLUMN visible_tag_ids        INTEGER[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE open_api_apps DROP COLUMN description, DROP COLUMN visible_userids, DROP COLUMN visible_department_ids, DROP COLUMN visible_tag_ids`,
    );
  }
}
