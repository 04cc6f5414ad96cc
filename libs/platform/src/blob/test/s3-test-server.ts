import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@atrium/testing';
import { S3BlobStoreOptions } from '../s3-blob-store';

export interface S3TestServer {
  options: S3BlobStoreOptions;
  stop(): Promise<void>;
}

const REPO = resolve(__dirname, '../../../../..');

/**
 * A real S3-compatible server (gofakes3, built by scripts/tools/ensure-s3) on a free loopback port,
 * its buckets in a temp dir that goes away with it.
 */
export async function startS3TestServer(bucket = 'atrium-test'): Promise<S3TestServer> {
  const binary = execFileSync(join(REPO, 'scripts/tools/ensure-s3'), { encoding: 'utf8' }).trim();
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-s3-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['-backend', 'fs', '-fs.path', dataDir, '-fs.create', '-initialbucket', bucket, '-host', `127.0.0.1:${port}`, '-quiet'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gofakes3 exited with ${child.exitCode}: ${stderr}`);
    const up = await fetch(`${endpoint}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`gofakes3 did not answer on ${endpoint}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    options: {
      endpoint,
      region: 'us-east-1',
      bucket,
      accessKeyId: 'atrium-test',
      secretAccessKey: 'atrium-test-secret',
      forcePathStyle: true,
    },
    stop,
  };
}
