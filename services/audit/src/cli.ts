import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { decodeEvent, EventDefinition, EventEnvelope, EventValidationError } from '@atrium/contracts';
import { ConfigError, openDatabase, TransactionRunner } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { RecordDraft } from './archive/archive-record';
import { ArchiveRepository } from './archive/archive.repository';
import { ArchiveService } from './archive/archive.service';
import { AUDIT_MIGRATIONS, derivedMasterKey } from './audit.service-definition';
import { loadAuditCliConfig } from './config';
import { KeyRing } from './crypto/key-ring.service';
import { KeysRepository } from './crypto/keys.repository';
import { LocalKeyProvider } from './crypto/local-key-provider';
import { ARCHIVED_EVENTS } from './ingest/archived-events';
import { recordFromEvent } from './ingest/event-records';
import { IngestEvent, IngestService } from './ingest/ingest.service';
import { OfficersRepository } from './compliance/officers.repository';
import { CheckpointService } from './integrity/checkpoint.service';
import { CheckpointsRepository } from './integrity/checkpoints.repository';
import { verifyChain } from './integrity/verify-chain';
import { PolicyRepository } from './policy/policy.repository';
import { ScopeRepository } from './scope/scope.repository';

const USAGE = `usage: node dist/services/audit/src/cli.js <command>

  verify --corp ID               recompute the corp's hash chain and checkpoints; JSON report on
                                 stdout; exit 0 when it verifies, 3 when it does not
  export-checkpoints --corp ID   the corp's signed checkpoints as JSON
  ingest [--batch N]             archive event envelopes read from stdin, one JSON per line (a
                                 backfill, or a dead-letter topic replayed); idempotent by event id

environment: DATABASE_URL, ATRIUM_AUDIT_MASTER_KEY (or ATRIUM_IDENTITY_KEY for an embedded archive)
`;

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function required(args: string[], name: string): string {
  const value = option(args, name);
  if (!value) throw new UsageError(`${name} is required`);
  return value;
}

class UsageError extends Error {}

interface Archive {
  db: DataSource;
  provider: LocalKeyProvider;
  archive: ArchiveService;
  checkpoints: CheckpointService;
  policies: PolicyRepository;
  scopes: ScopeRepository;
  ingest: IngestService;
}

async function openArchive(): Promise<Archive> {
  const config = loadAuditCliConfig();
  const master = config.ATRIUM_AUDIT_MASTER_KEY
    ? Buffer.from(config.ATRIUM_AUDIT_MASTER_KEY, 'base64')
    : derivedMasterKey(config.ATRIUM_IDENTITY_KEY ?? '');
  const provider = new LocalKeyProvider(master);
  const db = await openDatabase({ url: config.DATABASE_URL, entities: [], migrations: AUDIT_MIGRATIONS, poolSize: 4 });
  const transactions = new TransactionRunner(db);
  const keys = new KeyRing(db, transactions, provider, new KeysRepository());
  await keys.checkRootKey();
  const archiveRepository = new ArchiveRepository();
  const scopes = new ScopeRepository();
  const archive = new ArchiveService(keys, archiveRepository, scopes);
  const policies = new PolicyRepository();
  return {
    db,
    provider,
    scopes,
    archive,
    ingest: new IngestService(archive, policies, scopes, new OfficersRepository()),
    checkpoints: new CheckpointService(db, transactions, provider, archiveRepository, new CheckpointsRepository()),
    policies,
  };
}

async function ingest(a: Archive, batchSize: number): Promise<void> {
  const started = process.hrtime.bigint();
  let archived = 0;
  let skipped = 0;
  let invalid = 0;
  let batch: { envelope: EventEnvelope; definition: EventDefinition }[] = [];
  // Two batches in flight: one encrypts and indexes (CPU) while the other is in PostgreSQL.
  const inflight: Promise<number>[] = [];
  const flush = async () => {
    // Each event becomes its record once: here, for the keys to prefetch, and for archiveBatch.
    const events: IngestEvent[] = batch.map((e) => ({ ...e, draft: recordFromEvent(e.envelope, e.definition) }));
    const drafts = events.map((e) => e.draft).filter((d): d is RecordDraft => d !== null && d !== undefined);
    skipped += batch.length - drafts.length;
    await a.archive.prefetchKeys(drafts);
    // The consumer's code path: the same ordering of projection changes and records.
    inflight.push(a.db.transaction((tx) => a.ingest.archiveBatch(tx, events)));
    batch = [];
    if (inflight.length >= 2) archived += await inflight.shift()!;
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    try {
      batch.push(decodeEvent(line, ARCHIVED_EVENTS));
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      invalid++;
    }
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  for (const pending of inflight.splice(0)) archived += await pending;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ archived, skipped, invalid, seconds, recordsPerSecond: archived / seconds })}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (!['verify', 'export-checkpoints', 'ingest'].includes(command)) throw new UsageError(`unknown command ${command}`);
  const archive = await openArchive();
  try {
    switch (command) {
      case 'verify': {
        const report = await verifyChain(archive.db, required(args, '--corp'), await archive.provider.signingPublicKeyPem());
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return report.ok ? 0 : 3;
      }
      case 'export-checkpoints':
        process.stdout.write(`${await archive.checkpoints.export(required(args, '--corp'))}\n`);
        return 0;
      default:
        await ingest(archive, Number(option(args, '--batch') ?? 2_000));
        return 0;
    }
  } finally {
    await archive.db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`audit: ${error.message}\n\n${USAGE}`);
      process.exit(error instanceof ConfigError ? 78 : 2);
    }
    process.stderr.write(`audit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
