import { protoPathFor } from '@atrium/contracts';
import { ServiceDefinition } from '@atrium/platform';
import { CorpEntity } from './corps/corp.entity';
import { DirectoryModule } from './directory.module';
import { MemberEntity } from './members/member.entity';
import { DirectoryFoundation1700000001000 } from './migrations/1700000001000-directory-foundation';

export function directoryService(): ServiceDefinition {
  return {
    name: 'directory',
    database: { entities: [CorpEntity, MemberEntity], migrations: [DirectoryFoundation1700000001000] },
    grpc: { packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory') },
    imports: [DirectoryModule],
  };
}
