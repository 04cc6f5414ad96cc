import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './infra';

const run = promisify(execFile);
const PG_BIN = process.env.ATRIUM_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server of one test's own, on a free port, for tests that stop or crash it: the
 * shared test cluster must never be touched. Commits are durable (synchronous_commit on, fsync on),
 * as in production, so a crash loses nothing that was acknowledged.
 */
export interface PrivatePostgres {
  port: number;
  /** A database on this server, created empty. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m immediate`: every backend killed at once, no checkpoint; recovery replays the WAL. */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>;
}

/** initdb refuses to run as root: as root, the server runs as Debian's postgres user. */
async function asPg(command: string, args: string[]): Promise<void> {
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
  else await run(command, args);
}

export async function startPrivatePostgres(label = 'private'): Promise<PrivatePostgres> {
  const home = mkdtempSync(join(tmpdir(), `atrium-pg-${label}-`));
  const data = join(home, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(home, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(home, 0o755);
  await asPg(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const start = async () => {
    await asPg(`${PG_BIN}/pg_ctl`, [
      '-D',
      data,
      '-l',
      join(home, 'server.log'),
      '-w',
      '-t',
      '120',
      '-o',
      `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      'start',
    ]);
  };
  await start();
  return {
    port,
    async createDatabase(name) {
      const admin = new Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    crash: () => asPg(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']),
    start,
    async destroy() {
      await asPg(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
