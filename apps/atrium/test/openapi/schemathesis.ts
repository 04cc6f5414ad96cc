import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** The pinned schemathesis CLI, installed on first use into the git-ignored `.tools/`. */
export async function ensureSchemathesis(): Promise<string> {
  const { stdout } = await run(join(ROOT, 'scripts', 'tools', 'ensure-schemathesis'), [], {});
  return stdout.trim().split('\n').pop()!;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  // Asynchronous on purpose: the platform under test serves from this same process.
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** One failed check on one request, as the NDJSON report records it. */
export interface FuzzFailure {
  /** ST101 server error, ST108 schema violation, ST201 invalid accepted, ST202 valid refused, ... */
  code: string;
  title: string;
  operation: string;
  method: string;
  uri: string;
  requestBody: string;
  status: number;
  responseBody: string;
  message: string;
}

export interface FuzzRun {
  exitCode: number;
  output: string;
  operationsTested: number;
  requestsSent: number;
  failures: FuzzFailure[];
}

const decode = (value: unknown): string => {
  if (value && typeof value === 'object' && '$base64' in value)
    return Buffer.from(String((value as { $base64: string }).$base64), 'base64').toString('utf8');
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
};

interface Interaction {
  request: { method: string; uri: string; body?: unknown };
  response?: { status_code: number; content?: unknown } | null;
}
interface CheckResult {
  status: string;
  failure_info?: { failure: { code: string; title: string; operation: string; message: string } };
}

/** Reads every failed check with its request and response out of an NDJSON report. */
export function readFailures(ndjsonPath: string): { failures: FuzzFailure[]; requestsSent: number } {
  const failures: FuzzFailure[] = [];
  // The report repeats a check's result on every later event of its scenario.
  const seen = new Set<string>();
  let requestsSent = 0;
  for (const line of readFileSync(ndjsonPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<
      string,
      { recorder?: { checks?: Record<string, CheckResult[]>; interactions?: Record<string, Interaction> } }
    >;
    const recorder = event.ScenarioFinished?.recorder;
    if (!recorder) continue;
    requestsSent += Object.keys(recorder.interactions ?? {}).length;
    for (const [caseId, checks] of Object.entries(recorder.checks ?? {})) {
      for (const check of checks) {
        if (check.status !== 'failure' || !check.failure_info) continue;
        const { failure } = check.failure_info;
        const interaction = recorder.interactions?.[caseId];
        const key = `${failure.code} ${caseId} ${failure.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        failures.push({
          code: failure.code,
          title: failure.title,
          operation: failure.operation,
          method: interaction?.request.method ?? '',
          uri: interaction?.request.uri ?? '',
          requestBody: decode(interaction?.request.body),
          status: interaction?.response?.status_code ?? 0,
          responseBody: decode(interaction?.response?.content),
          message: failure.message,
        });
      }
    }
  }
  return { failures, requestsSent };
}

export interface FuzzOptions {
  schemaUrl: string;
  headers: Record<string, string>;
  /** A TOML document of further settings (per-operation checks, fixed parameters). */
  config: string;
  workDir: string;
  maxTimeSeconds: number;
  maxExamples: number;
  seed?: string;
  excludePaths: string[];
}

/** Runs schemathesis over the whole document; its own exit code is informative only, the report decides. */
export async function runSchemathesis(st: string, options: FuzzOptions): Promise<FuzzRun> {
  const configPath = join(options.workDir, 'schemathesis.toml');
  writeFileSync(configPath, options.config);
  const args = [
    '--config-file',
    configPath,
    'run',
    options.schemaUrl,
    ...Object.entries(options.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    ...options.excludePaths.flatMap((path) => ['--exclude-path', path]),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(options.maxExamples),
    '--max-time',
    String(options.maxTimeSeconds),
    '--workers',
    '2',
    '--no-shrink',
    '--request-timeout',
    '30',
    '--report',
    'ndjson',
    '--report-dir',
    options.workDir,
    ...(options.seed ? ['--seed', options.seed] : []),
  ];
  const result = await run(st, args, { NO_COLOR: '1' });
  const report = readdirSync(options.workDir).find((name) => name.endsWith('.ndjson'));
  if (!report) throw new Error(`schemathesis wrote no report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  const { failures, requestsSent } = readFailures(join(options.workDir, report));
  const tested = /Tested:\s+(\d+)/.exec(result.stdout);
  return {
    exitCode: result.code,
    output: result.stdout + result.stderr,
    operationsTested: tested ? Number(tested[1]) : 0,
    requestsSent,
    failures,
  };
}
