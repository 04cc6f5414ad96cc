import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './infra';

/**
 * A Redis server of the test's own, for fault tests that stop it: the shared test server must
 * never go down under the other test files. No persistence: a restart starts empty, as a cache
 * that lost its pod would.
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGKILL by default: an outage, not a maintenance window) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as in a network partition; `stop` still ends it. */
  freeze(): void;
  readonly running: boolean;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const start = async () => {
    if (child) return;
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    child = proc;
    exited = new Promise((resolve) =>
      proc.once('exit', () => {
        if (child === proc) child = undefined;
        resolve();
      }),
    );
    const deadline = Date.now() + 15_000;
    while (!(await answersPing(port))) {
      if (!child) throw new Error(`redis-server on port ${port} exited during start-up`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    start,
    freeze() {
      if (!child) throw new Error('the private Redis is not running');
      child.kill('SIGSTOP');
    },
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      child?.kill(signal);
      await exited;
    },
  };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
