import { MigrationInterface, QueryRunner } from 'typeorm';

export class DirectoryFoundation1700000001000 implements MigrationInterface {
  name = 'DirectoryFoundation1700000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE corps (
        id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        code       TEXT NOT NULL,
        name       TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX corps_code_unique ON corps (lower(code))`);
    await q.query(`
      CREATE TABLE departments (
        corp_id    UUID NOT NULL REFERENCES corps(id),
        id         INTEGER NOT NULL,
        parent_id  INTEGER,
        name       TEXT NOT NULL,
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, id)
      )`);
    await q.query(`
      CREATE TABLE members (
        corp_id       UUID NOT NULL REFERENCES corps(id),
        userid        TEXT NOT NULL,
        name          TEXT NOT NULL,
        password_hash TEXT,
        status        TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'offboarded')),
        roles         TEXT[] NOT NULL DEFAULT '{}',
        main_department INTEGER NOT NULL,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (corp_id, userid)
      )`);
    // WeCom userids are case-insensitive: "ZhangSan" and "zhangsan" are one member.
    await q.query(`CREATE UNIQUE INDEX members_userid_ci ON members (corp_id, lower(userid))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE members`);
    await q.query(`DROP TABLE departments`);
    await q.query(`DROP TABLE corps`);
  }
}
