import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readProcessCpuSeconds, readProcessMemory } from './proc';

/**
 * The platform under test, in embedded mode, in its own child process: the benchmark process is
 * the load generator and must not share an event loop (or a heap) with what it measures.
 */
export interface PlatformProcess {
  url: string;
  password: string;
  pid: number;
  dataDir: string;
  /** Resident and peak resident memory of the platform process, if /proc can tell. */
  memory(): { rssMiB: number; peakRssMiB: number } | undefined;
  /** CPU time (user + system, all threads) the platform process used so far, if /proc can tell. */
  cpuSeconds(): number | undefined;
  /** SIGTERM, wait for the exit; SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where the compiled entry is; defaults to dist/apps/atrium/src/main.js next to this file. */
  mainPath?: string;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
  /** Start on this data directory (a restart) and keep it on stop; default: a fresh one, deleted on stop. */
  dataDir?: string;
  log?: (message: string) => void;
}

const HOST = '127.0.0.1';
const live = new Set<ChildProcess>();

// Last resort: whatever path leads to exit (an uncaught error, process.exit in a signal handler),
// no platform outlives the benchmark. Graceful stop() is the normal path; this is synchronous.
process.on('exit', () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A port nobody listens on right now: bind port 0, read what the kernel chose, release it. */
export function freePort(host = HOST): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Keeps the last lines a child wrote, to explain a failed start. */
class Tail {
  private readonly lines: string[] = [];
  constructor(private readonly max: number) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

function forwardLines(stream: NodeJS.ReadableStream | null, tail: Tail, log: (message: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (line.trim() !== '') log(`[platform] ${line}`);
    }
  });
  stream.on('end', () => {
    if (pending.trim() !== '') {
      tail.push(pending);
      log(`[platform] ${pending}`);
    }
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      done(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      done(true);
    };
    child.once('exit', onExit);
  });
}

/** Starts `node dist/apps/atrium/src/main.js` in a fresh data dir and waits until /healthz says ok. */
export async function startPlatform(options: StartOptions = {}): Promise<PlatformProcess> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const mainPath = options.mainPath ?? resolve(__dirname, '..', 'apps', 'atrium', 'src', 'main.js');
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const stopGraceMs = options.stopGraceMs ?? 20_000;
  if (!existsSync(mainPath)) throw new Error(`${mainPath} does not exist: run npm run build first`);

  const port = await freePort();
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'atrium-bench-'));
  const password = randomBytes(18).toString('base64url');
  const url = `http://${HOST}:${port}`;
  const tail = new Tail(60);

  const child = spawn(process.execPath, [mainPath], {
    env: { ...process.env, PORT: String(port), HOST, ATRIUM_DATA_DIR: dataDir, ATRIUM_ADMIN_PASSWORD: password, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<string>((done) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      done(signal ? `signal ${signal}` : `code ${code}`);
    });
  });
  child.once('error', (error) => tail.push(`spawn failed: ${error.message}`));
  forwardLines(child.stdout, tail, log);
  forwardLines(child.stderr, tail, log);
  if (child.pid === undefined) {
    const how = await exited;
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the platform did not start (${how})\n${tail.toString()}`);
  }
  const pid = child.pid;

  let stopping: Promise<void> | undefined;
  // An exit nobody asked for (a crash, or a signal from outside) invalidates the run: say so loudly.
  void exited.then((how) => {
    if (stopping === undefined)
      log(`platform (pid ${pid}) exited on its own with ${how} while in use: it crashed or something else signalled it`);
  });
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, stopGraceMs))) {
          log(`platform (pid ${pid}) still running ${stopGraceMs / 1000} s after SIGTERM: SIGKILL`);
          child.kill('SIGKILL');
          await waitForExit(child, 10_000);
        }
      }
      live.delete(child);
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    })());

  log(`starting the platform (pid ${pid}) at ${url}, data in ${dataDir}`);
  const startedAt = Date.now();
  let exitedEarly: string | undefined;
  void exited.then((how) => (exitedEarly = how));
  let lastProblem = 'no answer yet';
  for (;;) {
    if (exitedEarly !== undefined) {
      await stop();
      throw new Error(`the platform exited during start-up (${exitedEarly})\n${tail.toString()}`);
    }
    if (Date.now() - startedAt > readyTimeoutMs) {
      await stop();
      throw new Error(`the platform was not healthy after ${readyTimeoutMs / 1000} s (last: ${lastProblem})\n${tail.toString()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { status?: string; services?: Record<string, string> };
      if (response.ok && body.status === 'ok') break;
      lastProblem = `HTTP ${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await delay(250);
  }
  log(`platform healthy after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

  return { url, password, pid, dataDir, memory: () => readProcessMemory(pid), cpuSeconds: () => readProcessCpuSeconds(pid), stop };
}
