import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

// The worker's whole program. PGlite executes SQL synchronously in WebAssembly on the thread that
// owns it: on the main thread, every statement of any service's database stopped the event loop
// of the whole embedded platform (HTTP, gRPC, timers, /healthz) for as long as it ran. In a worker
// per database, statements run beside the event loop, and the socket server talks to the pg
// driver over loopback from the worker itself. Module paths come resolved from the main thread,
// so the worker finds the packages wherever the process was started from.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { dataDir, port, modules } = workerData;
(async () => {
  const { PGlite } = require(modules.pglite);
  const { pg_trgm } = require(modules.pgTrgm);
  const { PGLiteSocketServer } = require(modules.socket);
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port });
  await server.start();
  parentPort.on('message', (message) => {
    if (message !== 'close') return;
    server.stop().then(() => db.close()).then(
      () => parentPort.postMessage({ closed: true }),
      (error) => parentPort.postMessage({ closed: true, error: String(error && error.stack || error) }),
    );
  });
  parentPort.postMessage({ listening: true });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

type WorkerMessage = { listening?: true; closed?: true; error?: string };

/**
 * PGlite served over the Postgres wire protocol on loopback, so embedded mode runs the same pg
 * driver, TypeORM code and SQL as production. One instance per service database, each in its own
 * worker thread. PGlite has a single backend without isolation between connections, hence a pool
 * of 1 on the client side: a service's open transaction excludes its other callers, so work that
 * writes a lot commits in short transactions (see the directory's import).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedPostgres> {
  mkdirSync(dataDir, { recursive: true });
  // PGlite ships contrib extensions as separate bundles: pg_trgm gives the directory's member
  // search its substring and typo stages, as on a real PostgreSQL.
  const modules = {
    pglite: require.resolve('@electric-sql/pglite'),
    pgTrgm: require.resolve('@electric-sql/pglite/contrib/pg_trgm'),
    socket: require.resolve('@electric-sql/pglite-socket'),
  };
  const worker = new Worker(WORKER, { eval: true, workerData: { dataDir, port, modules } });
  const next = () =>
    new Promise<WorkerMessage>((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(message);
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        reject(error);
      };
      const onExit = (code: number) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        reject(new Error(`the PGlite worker of ${dataDir} exited (code ${code})`));
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
  const started = await next();
  if (started.error !== undefined) {
    await worker.terminate();
    throw new Error(`PGlite at ${dataDir} did not start: ${started.error}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async close() {
      const closed = next();
      worker.postMessage('close');
      const outcome = await closed;
      await worker.terminate();
      if (outcome.error !== undefined) throw new Error(`PGlite at ${dataDir} did not close cleanly: ${outcome.error}`);
    },
  };
}
