import { DynamicModule, Module, Provider } from '@nestjs/common';
import { INFRA, Infrastructure } from '@atrium/platform';
import { hkdfSync } from 'node:crypto';
import { ArchiveJobs } from './archive/archive-jobs';
import { ArchiveRepository } from './archive/archive.repository';
import { ArchiveService } from './archive/archive.service';
import { AUDIT_SETTINGS, AuditSettings, KEY_PROVIDER } from './audit.tokens';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { AccessControl } from './compliance/access-control.service';
import { MessageFinder } from './compliance/message-finder';
import { ReadScopes } from './compliance/read-scope';
import { RecordReader } from './compliance/record-reader';
import { OfficersRepository } from './compliance/officers.repository';
import { OfficersService } from './compliance/officers.service';
import { SearchRepository } from './compliance/search.repository';
import { SearchService } from './compliance/search.service';
import { KeyRing } from './crypto/key-ring.service';
import { KeyProvider } from './crypto/key-provider';
import { KeysRepository } from './crypto/keys.repository';
import { LocalKeyProvider } from './crypto/local-key-provider';
import { ExportsRepository } from './exports/exports.repository';
import { ExportsService } from './exports/exports.service';
import { HoldsRepository } from './holds/holds.repository';
import { HoldsService } from './holds/holds.service';
import { IngestConsumer } from './ingest/ingest.consumer';
import { IngestService } from './ingest/ingest.service';
import { CheckpointService } from './integrity/checkpoint.service';
import { CheckpointsRepository } from './integrity/checkpoints.repository';
import { IntegrityService } from './integrity/integrity.service';
import { PolicyRepository } from './policy/policy.repository';
import { PolicyService } from './policy/policy.service';
import { PullRepository } from './pull/pull.repository';
import { PullService } from './pull/pull.service';
import { RetentionService } from './retention/retention.service';
import { ScopeRepository } from './scope/scope.repository';
import { ExportsGrpcController } from './exports/exports.grpc-controller';
import { HoldsGrpcController } from './holds/holds.grpc-controller';
import { IntegrityGrpcController } from './integrity/integrity.grpc-controller';
import { OfficersGrpcController } from './compliance/officers.grpc-controller';
import { PolicyGrpcController } from './policy/policy.grpc-controller';
import { PullGrpcController } from './pull/pull.grpc-controller';
import { SearchGrpcController } from './compliance/search.grpc-controller';

export interface AuditOptions {
  /** The key provider (a KMS adapter in a cluster); default: local, from `masterKey`. */
  keyProvider?: KeyProvider;
  /** 32 bytes; default: derived from the identity key, for embedded mode and tests. */
  masterKey?: Buffer;
  settings?: Partial<AuditSettings>;
}

const DEFAULT_SETTINGS: AuditSettings = { checkpointIntervalMs: 300_000, retentionSweepIntervalMs: 3_600_000, exportChunkRecords: 1_000 };

/** Embedded mode has no secret store: the master key is derived from the identity key, with a warning. */
export function derivedMasterKey(identityKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(identityKey), Buffer.from('atrium-audit'), Buffer.from('embedded-master-key'), 32));
}

function keyProviderFor(options: AuditOptions): Provider {
  return {
    provide: KEY_PROVIDER,
    inject: [INFRA],
    useFactory: (infra: Infrastructure): KeyProvider => {
      if (options.keyProvider) return options.keyProvider;
      if (options.masterKey) return new LocalKeyProvider(options.masterKey);
      infra.logger.warn('ATRIUM_AUDIT_MASTER_KEY is not set: archive keys derive from the identity key (embedded mode only)');
      return new LocalKeyProvider(derivedMasterKey(infra.identityKey));
    },
  };
}

const AUDIT_PROVIDERS = [
  KeysRepository,
  KeyRing,
  ScopeRepository,
  ArchiveRepository,
  ArchiveService,
  PolicyRepository,
  PolicyService,
  OfficersRepository,
  OfficersService,
  AccessControl,
  SearchRepository,
  ReadScopes,
  RecordReader,
  MessageFinder,
  SearchService,
  ExportsRepository,
  ExportsService,
  HoldsRepository,
  HoldsService,
  PullRepository,
  PullService,
  CheckpointsRepository,
  CheckpointService,
  IntegrityService,
  RetentionService,
  IngestService,
  IngestConsumer,
  ArchiveJobs,
];

/** The audit service: one gRPC controller per feature, the archive's ingest and its jobs. */
@Module({})
export class AuditModule {
  static forRoot(options: AuditOptions = {}): DynamicModule {
    return {
      module: AuditModule,
      controllers: [
        CallerGrpcController,
        OfficersGrpcController,
        PolicyGrpcController,
        SearchGrpcController,
        IntegrityGrpcController,
        ExportsGrpcController,
        HoldsGrpcController,
        PullGrpcController,
      ],
      providers: [
        keyProviderFor(options),
        { provide: AUDIT_SETTINGS, useValue: { ...DEFAULT_SETTINGS, ...options.settings } },
        ...AUDIT_PROVIDERS,
      ],
    };
  }
}
