import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { ArchiveJobs } from './archive/archive-jobs';
import { AuditModule, AuditOptions } from './audit.module';
import { AuditConfig } from './config';
import { KeyRing } from './crypto/key-ring.service';
import { IngestConsumer } from './ingest/ingest.consumer';
import { AuditReceipts1700000006000 } from './migrations/1700000006000-audit-receipts';
import { AuditArchive1700000006100 } from './migrations/1700000006100-audit-archive';
import { AuditCompliance1700000006200 } from './migrations/1700000006200-audit-compliance';

export { derivedMasterKey, type AuditOptions } from './audit.module';

export function auditOptionsFromConfig(config: AuditConfig): AuditOptions {
  return {
    masterKey: config.ATRIUM_AUDIT_MASTER_KEY ? Buffer.from(config.ATRIUM_AUDIT_MASTER_KEY, 'base64') : undefined,
    settings: {
      checkpointIntervalMs: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000,
      retentionSweepIntervalMs: config.AUDIT_RETENTION_SWEEP_INTERVAL_SECONDS * 1000,
    },
  };
}

export const AUDIT_MIGRATIONS = [AuditReceipts1700000006000, AuditArchive1700000006100, AuditCompliance1700000006200];

export function auditService(options: AuditOptions = {}): ServiceDefinition {
  return {
    name: 'audit',
    database: { entities: [], migrations: AUDIT_MIGRATIONS },
    grpc: { packageName: 'atrium.audit.v1', protoPath: protoPathFor('audit') },
    imports: [AuditModule.forRoot(options)],
    onStarted: async (app) => {
      await app.get(KeyRing).checkRootKey();
      await app.get(IngestConsumer).start();
      app.get(ArchiveJobs).start();
    },
  };
}
