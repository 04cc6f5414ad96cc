import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { DirectoryModule } from './directory.module';
import { DirectoryFoundation1700000001000 } from './migrations/1700000001000-directory-foundation';
import { DirectoryOrg1700000002000 } from './migrations/1700000002000-directory-org';
import { MemberSearch1700000003000 } from './migrations/1700000003000-member-search';
import { ImportJobs1700000004000 } from './migrations/1700000004000-import-jobs';
import { MemberSearchTrigram1700000005000 } from './migrations/1700000005000-member-search-trigram';
import { MemberAttributes1700000006000 } from './migrations/1700000006000-member-attributes';
import { SubtreeMembers1700000007000 } from './migrations/1700000007000-subtree-members';
import { TransfersConsumer } from './offboarding/transfers.consumer';
import { MemberSearchService } from './search/member-search.service';

export function directoryService(): ServiceDefinition {
  return {
    name: 'directory',
    database: {
      entities: [],
      migrations: [
        DirectoryFoundation1700000001000,
        DirectoryOrg1700000002000,
        MemberSearch1700000003000,
        ImportJobs1700000004000,
        MemberSearchTrigram1700000005000,
        MemberAttributes1700000006000,
        SubtreeMembers1700000007000,
      ],
    },
    grpc: { packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory') },
    imports: [DirectoryModule],
    onStarted: async (app) => {
      await app.get(TransfersConsumer).start();
      // Members that predate the search index (pinyin is computed here, not in SQL).
      await app.get(MemberSearchService).backfill();
    },
  };
}
