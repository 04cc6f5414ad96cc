import { directoryV1, protoPathFor } from '@atrium/contracts';
import { CallerIdentity, DomainError, GrpcServiceClient } from '@atrium/platform';
import { DirectoryPort } from './directory.port';

const RESOLVE_PAGE = 5_000;
/** The directory's BatchGetMembers limit. */
const BATCH_GET_LIMIT = 1_000;

/** The directory port over gRPC: what messaging asks the directory service. */
export class DirectoryClient implements DirectoryPort {
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
    // A 2,000-member group is ordinary: ask in pages of the directory's limit, side by side.
    const pages = await Promise.all(
      Array.from({ length: Math.ceil(userids.length / BATCH_GET_LIMIT) }, (_, i) => {
        const chunk = userids.slice(i * BATCH_GET_LIMIT, (i + 1) * BATCH_GET_LIMIT);
        return this.client.call('BatchGetMembers', (d, md) => d.batchGetMembers({ userids: chunk }, md), caller);
      }),
    );
    const members = pages.flatMap((page) => page.members);
    const active = new Set(members.filter((m) => m.status === directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE).map((m) => m.userid));
    return { active: userids.filter((u) => active.has(u)), invalid: userids.filter((u) => !active.has(u)) };
  }

  // Department groups and the file-forwarding policy ask these.

  /** A department with its path from the root; undefined when it does not exist. */
  async department(caller: CallerIdentity, id: number): Promise<{ id: number; name: string; path: number[] } | undefined> {
    try {
      const { department } = await this.client.call('GetDepartment', (d, md) => d.getDepartment({ id }, md), caller);
      return department && { id: department.id, name: department.name, path: department.path };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** The active members of a department (and its subtree), every page; null when the department does not exist. */
  async departmentMembers(caller: CallerIdentity, departmentId: number, subtree: boolean): Promise<string[] | null> {
    const userids: string[] = [];
    let pageToken = '';
    do {
      const page = await this.client.call(
        'ResolveRecipients',
        (d, md) =>
          d.resolveRecipients(
            {
              userids: [],
              departmentIds: subtree ? [departmentId] : [],
              directDepartmentIds: subtree ? [] : [departmentId],
              tagIds: [],
              pageSize: RESOLVE_PAGE,
              pageToken,
            },
            md,
          ),
        caller,
      );
      if (page.invalidDepartmentIds.includes(departmentId)) return null;
      userids.push(...page.userids);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return userids;
  }

  /** Each found member's direct departments and whether they are active (batched by the directory's page limit). */
  async memberDepartments(caller: CallerIdentity, userids: string[]): Promise<Map<string, { active: boolean; departments: number[] }>> {
    const out = new Map<string, { active: boolean; departments: number[] }>();
    for (let i = 0; i < userids.length; i += BATCH_GET_LIMIT) {
      const chunk = userids.slice(i, i + BATCH_GET_LIMIT);
      const { members } = await this.client.call('BatchGetMembers', (d, md) => d.batchGetMembers({ userids: chunk }, md), caller);
      for (const m of members) {
        out.set(m.userid, {
          active: m.status === directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE,
          departments: m.departments.map((d) => d.departmentId),
        });
      }
    }
    return out;
  }

  /** Whether the caller administers every one of these departments with the permission. */
  async administers(caller: CallerIdentity, departmentIds: number[], permission: string): Promise<boolean> {
    const { allowed } = await this.client.call(
      'CheckAdminScope',
      (d, md) => d.checkAdminScope({ userid: '', departmentIds, permission }, md),
      caller,
    );
    return allowed;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
