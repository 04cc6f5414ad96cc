import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';
import { ReportModule } from './report.module';

export function reportService(): ServiceDefinition {
  return {
    name: 'report',
    // The platform's outbox and inbox only, until reports have tables of their own.
    database: { entities: [], migrations: [] },
    grpc: { packageName: 'atrium.report.v1', protoPath: protoPathFor('report') },
    imports: [ReportModule],
    onStarted: (app) => app.get(OffboardingConsumer).start(),
  };
}
