import { Injectable } from '@nestjs/common';
import { CallerIdentity, DomainError } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import { VisibleRange } from './app-credentials.repository';

export const ROOT_DEPARTMENT_ID = 1;
// The directory's largest page: a corp's @all is a few calls.
const PAGE_SIZE = 20_000;

/** Who a send names: everyone the app sees (`@all`), or members, departments and tags. */
export interface Addressing {
  all: boolean;
  userids: string[];
  departmentIds: number[];
  tagIds: number[];
}

/** The members a send reaches, and the parts of its addressing that reach no one. */
export interface Audience {
  userids: string[];
  invalidUserids: string[];
  invalidDepartmentIds: number[];
  invalidTagIds: number[];
}

const coversCorp = (range: VisibleRange) => range.departmentIds.includes(ROOT_DEPARTMENT_ID);

/**
 * An app's audience, asked of the directory: the members of its visible range, and which parts of a
 * send's addressing fall outside it (WeCom answers those as invaliduser, invalidparty, invalidtag).
 * A department is in range when it or an ancestor is a visible department; a tag when it is a
 * visible tag; a member when the visible range resolves to them. Unknown or inactive members,
 * unknown departments and tags are invalid too.
 */
@Injectable()
export class AppAudience {
  constructor(private readonly clients: ServiceClients) {}

  async resolve(caller: CallerIdentity, range: VisibleRange, addressing: Addressing): Promise<Audience> {
    if (addressing.all) {
      return { userids: await this.members(caller, range), invalidUserids: [], invalidDepartmentIds: [], invalidTagIds: [] };
    }
    const wholeCorp = coversCorp(range);
    const visible = wholeCorp ? undefined : new Set(await this.members(caller, range));
    const outOfRange = {
      userids: visible ? addressing.userids.filter((u) => !visible.has(u)) : [],
      departmentIds: wholeCorp ? [] : await this.departmentsOutside(caller, range, addressing.departmentIds),
      tagIds: wholeCorp ? [] : addressing.tagIds.filter((t) => !range.tagIds.includes(t)),
    };
    const query = {
      userids: addressing.userids.filter((u) => !outOfRange.userids.includes(u)),
      departmentIds: addressing.departmentIds.filter((d) => !outOfRange.departmentIds.includes(d)),
      tagIds: addressing.tagIds.filter((t) => !outOfRange.tagIds.includes(t)),
    };
    const resolved = await this.resolveAll(caller, query);
    const union = <T>(a: T[], b: T[]) => [...new Set([...a, ...b])];
    return {
      // Whatever the directory answers, nobody outside the range is messaged.
      userids: visible ? resolved.userids.filter((u) => visible.has(u)) : resolved.userids,
      invalidUserids: union(outOfRange.userids, resolved.invalidUserids),
      invalidDepartmentIds: union(outOfRange.departmentIds, resolved.invalidDepartmentIds),
      invalidTagIds: union(outOfRange.tagIds, resolved.invalidTagIds),
    };
  }

  /** The members an app's visible range covers: every active member it names or contains. */
  async members(caller: CallerIdentity, range: VisibleRange): Promise<string[]> {
    if (range.userids.length + range.departmentIds.length + range.tagIds.length === 0) return [];
    return (await this.resolveAll(caller, range)).userids;
  }

  /** The parts of a visible range the directory does not know (an admin is told before it is saved). */
  async unknownParts(caller: CallerIdentity, range: VisibleRange): Promise<VisibleRange> {
    if (range.userids.length + range.departmentIds.length + range.tagIds.length === 0) return range;
    const answer = await this.clients.directory.call(
      'ResolveRecipients',
      (d, md) =>
        d.resolveRecipients(
          {
            userids: range.userids,
            departmentIds: range.departmentIds,
            directDepartmentIds: [],
            tagIds: range.tagIds,
            pageSize: 1,
            pageToken: '',
          },
          md,
        ),
      caller,
    );
    return { userids: answer.invalidUserids, departmentIds: answer.invalidDepartmentIds, tagIds: answer.invalidTagIds };
  }

  private async resolveAll(
    caller: CallerIdentity,
    query: { userids: string[]; departmentIds: number[]; tagIds: number[] },
  ): Promise<{ userids: string[]; invalidUserids: string[]; invalidDepartmentIds: number[]; invalidTagIds: number[] }> {
    const userids: string[] = [];
    let invalid = { invalidUserids: [] as string[], invalidDepartmentIds: [] as number[], invalidTagIds: [] as number[] };
    if (query.userids.length + query.departmentIds.length + query.tagIds.length === 0) return { userids, ...invalid };
    let pageToken = '';
    do {
      const request = { ...query, directDepartmentIds: [], pageSize: PAGE_SIZE, pageToken };
      const page = await this.clients.directory.call('ResolveRecipients', (d, md) => d.resolveRecipients(request, md), caller);
      userids.push(...page.userids);
      if (!pageToken) invalid = page;
      pageToken = page.nextPageToken;
    } while (pageToken);
    return {
      userids,
      invalidUserids: invalid.invalidUserids,
      invalidDepartmentIds: invalid.invalidDepartmentIds,
      invalidTagIds: invalid.invalidTagIds,
    };
  }

  /** Departments that are neither a visible department nor under one (unknown ones are left to the directory). */
  private async departmentsOutside(caller: CallerIdentity, range: VisibleRange, departmentIds: number[]): Promise<number[]> {
    const visible = new Set(range.departmentIds);
    const outside = await Promise.all(
      departmentIds.map(async (id) => {
        if (visible.has(id)) return undefined;
        try {
          const { department } = await this.clients.directory.call('GetDepartment', (d, md) => d.getDepartment({ id }, md), caller);
          return department?.path.some((ancestor) => visible.has(ancestor)) ? undefined : id;
        } catch (error) {
          if (error instanceof DomainError && error.code === 'NOT_FOUND') return undefined;
          throw error;
        }
      }),
    );
    return outside.filter((id): id is number => id !== undefined);
  }
}
