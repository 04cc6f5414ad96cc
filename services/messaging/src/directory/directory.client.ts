import { directoryV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient } from '@atrium/platform';

/** What messaging asks the directory: are these people active members of the caller's corp? */
export class DirectoryClient {
  private readonly client: GrpcServiceClient<directoryV1.DirectoryServiceClient>;

  constructor(url: string, identityKey: string) {
    this.client = new GrpcServiceClient(
      { caller: 'messaging', url, packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory'), identityKey },
      directoryV1.DIRECTORY_SERVICE_NAME,
    );
  }

  /** Splits userids into active members of the caller's corp and the rest. */
  async activeMembers(caller: CallerIdentity, userids: string[]): Promise<{ active: string[]; invalid: string[] }> {
    if (userids.length === 0) return { active: [], invalid: [] };
    const { members } = await this.client.call('BatchGetMembers', (d, md) => d.batchGetMembers({ userids }, md), caller);
    const active = new Set(members.filter((m) => m.status === directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE).map((m) => m.userid));
    return { active: userids.filter((u) => active.has(u)), invalid: userids.filter((u) => !active.has(u)) };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
