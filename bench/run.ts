import { directoryBench } from './directory.bench';
import { directoryImportBench } from './directory-import.bench';
import { auditBench } from './audit.bench';
import { gatewayBench } from './gateway.bench';
import { idleBench } from './idle.bench';
import { grpcCallBench } from './grpc-call.bench';
import { importLoadBench } from './import-load.bench';
import { loopbackBench } from './loopback.bench';
import { messagingBench } from './messaging.bench';
import { PlatformProcess, startPlatform } from './platform-process';
import { readHostBusySeconds } from './proc';
import { round } from './stats';
import { BenchContext, BenchModule, BenchTarget, MetricExtras } from './types';

/**
 * node dist/bench/run.js <name> [--quick] [--url http://host:port --password P]
 *
 * Results: one JSON object per line on stdout, {"bench","metric","value","unit",...extras}.
 * Progress and diagnostics: stderr only. Exit 0 when every request succeeded, 1 when any failed
 * (an "errors" line says how many) or the run broke, 2 on a usage error, 130 when interrupted.
 */

const BENCHMARKS: Record<string, BenchModule> = {
  gateway: gatewayBench,
  audit: auditBench,
  'directory-import': directoryImportBench,
  'import-load': importLoadBench,
  directory: directoryBench,
  messaging: messagingBench,
  loopback: loopbackBench,
  'grpc-call': grpcCallBench,
  idle: idleBench,
};

interface Args {
  name: string;
  quick: boolean;
  url?: string;
  password?: string;
}

const log = (message: string) => process.stderr.write(`${message}\n`);

function usage(problem?: string): never {
  if (problem) log(`bench: ${problem}\n`);
  log('usage: node dist/bench/run.js <name> [--quick] [--url http://host:port --password P]');
  log('       npm run bench -- <name> [--quick] [...]\n');
  log('  --quick      short phases: a smoke check, not numbers to quote');
  log('  --url        benchmark a platform already running there (default: start one in a child process)');
  log('  --password   password of account "admin" in corp "demo" on that platform (or ATRIUM_ADMIN_PASSWORD)\n');
  log('benchmarks:');
  for (const [name, bench] of Object.entries(BENCHMARKS)) log(`  ${name.padEnd(12)} ${bench.description}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  let name: string | undefined;
  let quick = false;
  let url: string | undefined;
  let password: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) usage(`${flag} needs a value`);
      i += 1;
      return next;
    };
    if (flag === '--help' || flag === '-h') usage();
    else if (flag === '--quick') quick = true;
    else if (flag === '--url') url = value();
    else if (flag === '--password') password = value();
    else if (flag.startsWith('-')) usage(`unknown option ${flag}`);
    else if (name === undefined) name = flag;
    else usage(`unexpected argument ${flag}`);
  }
  if (name === undefined) usage('which benchmark?');
  if (!Object.prototype.hasOwnProperty.call(BENCHMARKS, name)) usage(`unknown benchmark "${name}"`);
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:') usage(`--url must be http://host:port, got ${url}`);
    } catch {
      usage(`--url is not a URL: ${url}`);
    }
    url = url.replace(/\/+$/, '');
    password ??= process.env.ATRIUM_ADMIN_PASSWORD;
    if (!password) usage('--url needs --password (or ATRIUM_ADMIN_PASSWORD)');
  } else if (password !== undefined) {
    usage('--password only goes with --url (a platform started here gets a random password)');
  }
  return { name, quick, url, password };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const bench = BENCHMARKS[args.name];
  const emit = (metric: string, value: number, unit: string, extras: MetricExtras = {}) => {
    process.stdout.write(`${JSON.stringify({ bench: args.name, metric, value, unit, ...extras })}\n`);
  };

  let platform: PlatformProcess | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping`);
    void (platform?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    let target: BenchTarget;
    if (bench.platform === 'none') {
      if (args.url !== undefined) usage(`${args.name} starts the platform it measures: --url does not apply`);
      target = new Proxy({} as BenchTarget, {
        get: () => {
          throw new Error(`${args.name} has no runner-started platform`);
        },
      });
    } else if (args.url !== undefined && args.password !== undefined) {
      target = { url: args.url, password: args.password, corp: 'demo', account: 'admin' };
      log(`benchmarking the platform at ${target.url}`);
    } else {
      platform = await startPlatform({ log });
      target = { url: platform.url, password: platform.password, corp: 'demo', account: 'admin' };
    }

    const started = platform;
    const cpu = () => {
      const own = process.cpuUsage();
      return {
        platformSeconds: started?.cpuSeconds(),
        generatorSeconds: (own.user + own.system) / 1e6,
        hostBusySeconds: readHostBusySeconds(),
      };
    };
    const context: BenchContext = { target, quick: args.quick, emit, log, cpu };
    log(`bench ${args.name}${args.quick ? ' (quick)' : ''}`);
    const outcome = await bench.run(context);

    if (platform) {
      const memory = platform.memory();
      if (memory) {
        emit('platform_rss', round(memory.rssMiB, 1), 'MiB', { pid: platform.pid });
        emit('platform_rss_peak', round(memory.peakRssMiB, 1), 'MiB', { pid: platform.pid });
      } else {
        log(`platform memory: /proc/${platform.pid}/status is not readable here`);
      }
    }
    if (outcome.errors > 0) {
      emit('errors', outcome.errors, 'count');
      log(`bench ${args.name}: ${outcome.errors} request(s) failed; the numbers above are not valid`);
      return 1;
    }
    return 0;
  } finally {
    if (platform) {
      log('stopping the platform');
      await platform.stop();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
