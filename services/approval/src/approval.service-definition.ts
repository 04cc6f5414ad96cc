import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { ApprovalModule } from './approval.module';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';

export function approvalService(): ServiceDefinition {
  return {
    name: 'approval',
    // The platform's outbox and inbox only, until approvals have tables of their own.
    database: { entities: [], migrations: [] },
    grpc: { packageName: 'atrium.approval.v1', protoPath: protoPathFor('approval') },
    imports: [ApprovalModule],
    onStarted: (app) => app.get(OffboardingConsumer).start(),
  };
}
