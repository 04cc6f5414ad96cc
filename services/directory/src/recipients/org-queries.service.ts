import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, NotFoundError, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { DepartmentsRepository } from '../departments/departments.repository';
import { MembersRepository } from '../members/members.repository';
import { RecipientQuery, RecipientsRepository } from './recipients.repository';

export interface ResolvedRecipients {
  userids: string[];
  nextPageToken: string;
  total: number;
  invalidUserids: string[];
  invalidDepartmentIds: number[];
  invalidTagIds: number[];
}

const PAGE_DEFAULT = 5_000;
const PAGE_MAX = 20_000;
const MAX_LEVELS = 20;

/** The questions other services ask the directory: who is addressed, who manages whom. */
@Injectable()
export class OrgQueriesService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly recipients: RecipientsRepository,
    private readonly members: MembersRepository,
    private readonly departments: DepartmentsRepository,
  ) {}

  /**
   * Invalid parts (unknown or inactive users, unknown departments or tags) are reported, not
   * fatal: a message to "everyone in sales plus zhangsan" still reaches sales if zhangsan left.
   */
  async resolveRecipients(caller: CallerIdentity, query: RecipientQuery, pageSize: number, pageToken: string): Promise<ResolvedRecipients> {
    const size = pageSize <= 0 ? PAGE_DEFAULT : pageSize;
    if (size > PAGE_MAX) throw new ValidationError(`page_size is at most ${PAGE_MAX}`, { field: 'page_size' });
    const tx = this.transactions.manager;
    const userids = [...new Set(query.userids.map((u) => u.toLowerCase()))];
    const departmentIds = [...new Set([...query.subtreeDepartmentIds, ...query.directDepartmentIds])];
    const [active, departments, tags] = await Promise.all([
      this.recipients.activeMembers(tx, caller.corpId, userids),
      this.recipients.existingDepartments(tx, caller.corpId, departmentIds),
      this.recipients.existingTags(tx, caller.corpId, query.tagIds),
    ]);
    const clean: RecipientQuery = {
      userids: userids.filter((u) => active.has(u)),
      subtreeDepartmentIds: query.subtreeDepartmentIds.filter((d) => departments.has(d)),
      directDepartmentIds: query.directDepartmentIds.filter((d) => departments.has(d)),
      tagIds: query.tagIds.filter((t) => tags.has(t)),
    };
    const after = pageToken ? Buffer.from(pageToken, 'base64url').toString('utf8') : '';
    const page = await this.recipients.resolve(tx, caller.corpId, clean, after, size + 1);
    const userPage = page.userids.slice(0, size);
    return {
      userids: userPage,
      nextPageToken: page.userids.length > size ? Buffer.from(userPage[userPage.length - 1]).toString('base64url') : '',
      total: page.total,
      invalidUserids: userids.filter((u) => !active.has(u)),
      invalidDepartmentIds: departmentIds.filter((d) => !departments.has(d)),
      invalidTagIds: query.tagIds.filter((t) => !tags.has(t)),
    };
  }

  /** levels[0]: direct leaders; levels[1]: theirs; … A leader seen before is not repeated (cycles end). */
  async managerChain(caller: CallerIdentity, userid: string, levels: number): Promise<string[][]> {
    if (levels < 1 || levels > MAX_LEVELS) throw new ValidationError(`levels must be 1-${MAX_LEVELS}`, { field: 'levels' });
    const tx = this.transactions.manager;
    const start = userid.toLowerCase();
    const leaders = await this.members.directLeadersOf(tx, caller.corpId, [start]);
    if (!leaders.has(start)) throw new NotFoundError(`member ${userid}`, { userid });
    const seen = new Set([start]);
    const chain: string[][] = [];
    let frontier = [start];
    let known = leaders;
    for (let level = 0; level < levels && frontier.length > 0; level++) {
      const next = [...new Set(frontier.flatMap((u) => known.get(u) ?? []))].filter((u) => !seen.has(u));
      if (next.length === 0) break;
      next.forEach((u) => seen.add(u));
      chain.push(next.sort());
      frontier = next;
      known = await this.members.directLeadersOf(tx, caller.corpId, next);
    }
    return chain;
  }

  /** Heads of the department `level` steps above the member's main department. */
  async departmentHeads(caller: CallerIdentity, userid: string, level: number): Promise<{ departmentId: number; leaders: string[] }> {
    if (level < 0 || level > 15) throw new ValidationError('level must be 0-15', { field: 'level' });
    const tx = this.transactions.manager;
    const member = await this.members.find(tx, caller.corpId, userid);
    if (!member) throw new NotFoundError(`member ${userid}`, { userid });
    const main = await this.departments.find(tx, caller.corpId, member.mainDepartment);
    if (!main) throw new NotFoundError(`department ${member.mainDepartment}`);
    const index = main.path.length - 1 - level;
    if (index < 0) return { departmentId: 0, leaders: [] };
    const department = index === main.path.length - 1 ? main : await this.departments.find(tx, caller.corpId, main.path[index]);
    return { departmentId: department?.id ?? 0, leaders: department?.leaders ?? [] };
  }
}
