import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedSecrets {
  identityKey: string;
  jwtSecret: string;
}

export interface EmbeddedRuntimeInfo {
  pid: number;
  gatewayUrl: string;
  directoryGrpcUrl: string;
  /** Six-process mode: every gateway replica, and the pid of each process (for benchmarks' CPU and memory readings). */
  gatewayUrls?: string[];
  processes?: { service: string; pid: number }[];
}

/** Secrets generated on first start and kept with the data, so tokens survive a restart. */
export function loadOrCreateSecrets(dataDir: string): EmbeddedSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as EmbeddedSecrets;
  const secrets = { identityKey: randomBytes(32).toString('hex'), jwtSecret: randomBytes(32).toString('hex') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** Lets the CLI find the running embedded platform. */
export function writeRuntimeInfo(dataDir: string, info: EmbeddedRuntimeInfo): void {
  writeFileSync(join(dataDir, 'runtime.json'), JSON.stringify(info, null, 2), { mode: 0o600 });
}

export function readRuntimeInfo(dataDir: string): EmbeddedRuntimeInfo | undefined {
  const file = join(dataDir, 'runtime.json');
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as EmbeddedRuntimeInfo;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

export function isSeeded(dataDir: string): boolean {
  return existsSync(join(dataDir, 'seeded'));
}

export function markSeeded(dataDir: string): void {
  writeFileSync(join(dataDir, 'seeded'), new Date().toISOString());
}
