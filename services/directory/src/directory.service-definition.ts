import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { DirectoryModule } from './directory.module';
import { DirectoryFoundation1700000001000 } from './migrations/1700000001000-directory-foundation';
import { DirectoryOrg1700000002000 } from './migrations/1700000002000-directory-org';
import { TransfersConsumer } from './offboarding/transfers.consumer';

export function directoryService(): ServiceDefinition {
  return {
    name: 'directory',
    database: { entities: [], migrations: [DirectoryFoundation1700000001000, DirectoryOrg1700000002000] },
    grpc: { packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory') },
    imports: [DirectoryModule],
    onStarted: (app) => app.get(TransfersConsumer).start(),
  };
}
