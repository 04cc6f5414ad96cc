import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './infra';

const run = promisify(execFile);
/** The repository root, from the sources (tests) or from the compiled tree under dist/ (benchmarks). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'scripts', 'infra.d')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const ROOT = repositoryRoot();
const START_TIMEOUT_MS = 240_000;
/** The jars scripts/infra fetched (Maven) for the shared broker. */
const KAFKA_LIB =
  process.env.ATRIUM_KAFKA_LIB ?? join(ROOT, '.data', 'infra', `kafka-lib-${process.env.ATRIUM_INFRA_KAFKA_VERSION ?? '4.4.0'}`);

/**
 * A single-node KRaft broker of one test's own, on free ports, for tests that kill it: the shared
 * broker must never be touched. The same settings as scripts/infra's broker.
 */
export interface PrivateKafka {
  brokers: string[];
  /** SIGKILL: no shutdown, no flush beyond what the OS already has. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once a client can use it. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function answers(broker: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'private-kafka-probe',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function startPrivateKafka(label = 'private'): Promise<PrivateKafka> {
  const home = mkdtempSync(join(tmpdir(), `atrium-kafka-${label}-`));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props = join(home, 'server.properties');
  writeFileSync(
    props,
    readFileSync(join(ROOT, 'scripts', 'infra.d', 'server.properties.template'), 'utf8')
      .replaceAll('@PORT@', String(port))
      .replaceAll('@CONTROLLER_PORT@', String(controllerPort))
      .replaceAll('@LOG_DIRS@', join(home, 'logs')),
  );
  const classpath = `${KAFKA_LIB}/*`;
  const { stdout: clusterId } = await run('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid']);
  await run('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId.trim(), '-c', props]);
  const broker = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const spawned = spawn(
      'java',
      [
        '-Xms128m',
        '-Xmx384m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${join(ROOT, 'scripts', 'infra.d', 'log4j2.xml')}`,
        `-Dkafka.logs.dir=${home}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        props,
      ],
      { stdio: 'ignore' },
    );
    child = spawned;
    exited = new Promise((resolve) => spawned.once('exit', () => resolve()));
    // A JVM starting on a saturated 2-core host (load 30 seen while other suites ran) took over 120 s.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answers(broker))) {
      if (spawned.exitCode !== null) throw new Error(`private Kafka exited during start (code ${spawned.exitCode})`);
      if (Date.now() > deadline) throw new Error(`private Kafka did not answer on ${broker} within ${START_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  const kill = async () => {
    child?.kill('SIGKILL');
    await exited;
    child = undefined;
  };

  await start();
  return {
    brokers: [broker],
    kill,
    start,
    async destroy() {
      await kill();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
