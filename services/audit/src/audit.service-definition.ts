import { Module } from '@nestjs/common';
import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { IngestConsumer } from './ingest/ingest.consumer';
import { IngestService } from './ingest/ingest.service';
import { ReceiptsRepository } from './ingest/receipts.repository';
import { AuditReceipts1700000006000 } from './migrations/1700000006000-audit-receipts';

@Module({ controllers: [CallerGrpcController], providers: [IngestService, IngestConsumer, ReceiptsRepository] })
class AuditModule {}

export function auditService(): ServiceDefinition {
  return {
    name: 'audit',
    database: { entities: [], migrations: [AuditReceipts1700000006000] },
    grpc: { packageName: 'atrium.audit.v1', protoPath: protoPathFor('audit') },
    imports: [AuditModule],
    onStarted: (app) => app.get(IngestConsumer).start(),
  };
}
