import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// `scripts/infra up` writes the addresses of the servers it started; every test process reads
// them so integration specs talk to the real PostgreSQL, Redis and Kafka, never a stand-in.
const envFile = join(__dirname, '..', '..', '..', '.data', 'infra.env');
if (existsSync(envFile)) {
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]] === undefined) process.env[match[1]] = match[2];
  }
}
