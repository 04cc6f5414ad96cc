import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './infra';

// startEmbeddedPostgres in a child process: PGlite's wasm loader needs dynamic import(), which
// CommonJS jest does not provide. SIGTERM closes it cleanly.
const SERVER = `
  const [port, dataDir, module] = process.argv.slice(1);
  require('ts-node').register({ transpileOnly: true });
  require(module).startEmbeddedPostgres(dataDir, Number(port)).then((db) => {
    process.once('SIGTERM', () => db.close().then(() => process.exit(0)));
    process.stdout.write('listening\\n');
  });`;

export interface PgliteServer {
  url: string;
  stop(): Promise<void>;
}

/** A fresh PGlite database served over the wire protocol exactly as embedded mode serves it. */
export async function startPgliteServer(): Promise<PgliteServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-pglite-'));
  const port = await freePort();
  const module = join(__dirname, '..', '..', 'platform', 'src', 'database', 'embedded-postgres.ts');
  const child = spawn(process.execPath, ['-e', SERVER, String(port), dataDir, module], {
    cwd: __dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
