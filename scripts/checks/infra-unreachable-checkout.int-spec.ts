import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '@atrium/testing';

const run = promisify(execFile);
const repo = join(__dirname, '../..');
const asRoot = process.getuid?.() === 0;

/**
 * A person who clones under a folder nobody else may enter (`mktemp -d`, root's home: mode 0700)
 * and runs `npm test` as root: PostgreSQL runs as the postgres user, which cannot enter the
 * checkout. scripts/infra must still bring it up — from a copy of the scripts in such a folder, on a
 * private port (never the shared servers) — and find the same cluster again on the next `up`.
 */
describe('scripts/infra in a checkout other users cannot enter', () => {
  let parent: string;
  let checkout: string;
  let env: NodeJS.ProcessEnv;

  const infra = (...args: string[]) => run(join(checkout, 'scripts/infra'), args, { cwd: checkout, env, timeout: 180_000 });

  async function query<T>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${env.ATRIUM_INFRA_PG_PORT}/postgres` });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'atrium-private-'));
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    checkout = join(parent, 'atrium');
    mkdirSync(join(checkout, 'scripts'), { recursive: true });
    cpSync(join(repo, 'scripts/infra'), join(checkout, 'scripts/infra'));
    cpSync(join(repo, 'scripts/infra.d'), join(checkout, 'scripts/infra.d'), { recursive: true });
    env = { ...process.env, ATRIUM_INFRA_PG_PORT: String(await freePort()) };
  });

  afterAll(async () => {
    // `reset` stops the server and deletes its data, wherever scripts/infra put it.
    if (checkout) await infra('reset', 'postgres').catch(() => undefined);
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('starts PostgreSQL, keeps its data where the postgres user can reach it, and finds it again after a restart', async () => {
    const up = await infra('up', 'postgres');
    expect(up.stdout).toMatch(/^postgres\s+running/m);

    const [{ data_directory: dataDir }] = await query<{ data_directory: string }>('SHOW data_directory');
    if (asRoot) {
      // Outside the unreachable checkout, and named in `status` so nobody has to look for it.
      expect(dataDir.startsWith(parent)).toBe(false);
      expect(up.stdout).toContain(`(data in ${dataDir.replace(/\/data$/, '')})`);
    } else {
      expect(dataDir).toBe(join(checkout, '.data/infra/postgres/data'));
    }

    await query('CREATE TABLE survives_restart (id int)');
    await infra('down', 'postgres');
    await infra('up', 'postgres');
    expect(await query('SELECT * FROM survives_restart')).toEqual([]);

    const status = await infra('status', 'postgres');
    expect(status.stdout).toMatch(/^postgres\s+running/m);

    // A partial `up` writes no .data/infra.env: tests must not be pointed at servers that were never started.
    expect(existsSync(join(checkout, '.data/infra.env'))).toBe(false);

    await infra('reset', 'postgres');
    expect(existsSync(dataDir)).toBe(false);
  }, 300_000);
});
