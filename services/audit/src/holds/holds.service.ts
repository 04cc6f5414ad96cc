import { Inject, Injectable } from '@nestjs/common';
import {
  CallerIdentity,
  DATA_SOURCE,
  DomainError,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  ValidationError,
} from '@atrium/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ArchiveService } from '../archive/archive.service';
import { AccessControl } from '../compliance/access-control.service';
import { OfficerGrant } from '../compliance/officers.repository';
import { parseTime } from '../compliance/archive-filter';
import { ownRecord } from '../compliance/own-records';
import { HoldsRepository, LegalHold } from './holds.repository';

export interface NewHold {
  name: string;
  reason?: string;
  participants?: string[];
  conversationIds?: string[];
  from?: string;
  to?: string;
}

const MAX_LIST = 1_000;

/**
 * A hold keeps records of the whole corp past retention whoever's they are, and an officer scoped
 * to departments could neither see what it keeps nor judge it: holds are for corp-wide officers.
 */
function requireCorpWide(grant: OfficerGrant, action: 'place' | 'release'): void {
  if (grant.departmentIds.length === 0) return;
  throw new DomainError('FORBIDDEN', `only a compliance officer for the whole corp may ${action} legal holds`, {
    reason: 'OFFICER_SCOPED_TO_DEPARTMENTS',
    departmentIds: grant.departmentIds,
  });
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const cleaned = (values: string[] | undefined, name: string) => {
  const list = [...new Set((values ?? []).map((v) => v.trim()).filter(Boolean))];
  if (list.length > MAX_LIST) throw new ValidationError(`at most ${MAX_LIST} ${name}`, { field: name });
  return list;
};

/**
 * Legal holds: while one is active, retention does not crypto-shred the data keys of the records
 * it matches (see RetentionService). Compliance officers create holds; an officer or a super admin
 * releases them; every change is archived as an admin action.
 */
@Injectable()
export class HoldsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly access: AccessControl,
    private readonly holds: HoldsRepository,
    private readonly archive: ArchiveService,
  ) {}

  async create(caller: CallerIdentity, input: NewHold): Promise<LegalHold> {
    requireCorpWide(await this.access.requireOfficer(caller), 'place');
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200) throw new ValidationError('name must be 1 to 200 characters', { field: 'name' });
    const reason = (input.reason ?? '').trim();
    if (reason.length > 2_000) throw new ValidationError('reason is longer than 2000 characters', { field: 'reason' });
    const participants = cleaned(input.participants, 'participants');
    const conversationIds = cleaned(input.conversationIds, 'conversationIds');
    const from = parseTime(input.from, 'from');
    const to = parseTime(input.to, 'to');
    if (from && to && from >= to) throw new ValidationError('from must be before to', { field: 'from' });
    if (participants.length === 0 && conversationIds.length === 0 && !from && !to) {
      throw new ValidationError('a hold needs participants, conversations or a time range', { field: 'participants' });
    }
    return this.transactions.run(async (tx) => {
      await this.holds.lockRetention(tx, caller.corpId);
      const hold = await this.holds.insert(tx, {
        id: randomUUID(),
        corpId: caller.corpId,
        name,
        reason,
        participants,
        conversationIds,
        from,
        to,
        createdBy: caller.userId,
      });
      await this.archive.append(tx, [
        ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.hold.created', {
          holdId: hold.id,
          name,
          reason,
          participants,
          conversationIds,
          from: from?.toISOString() ?? '',
          to: to?.toISOString() ?? '',
        }),
      ]);
      return hold;
    });
  }

  async list(caller: CallerIdentity, includeReleased: boolean): Promise<LegalHold[]> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.holds.list(this.db, caller.corpId, includeReleased);
  }

  /** Releasing a released hold changes nothing and answers with it as it is. */
  async release(caller: CallerIdentity, id: string): Promise<LegalHold> {
    const grant = await this.access.requireOfficerOrSuperAdmin(caller);
    if (grant) requireCorpWide(grant, 'release');
    const existing = UUID.test(id) ? await this.holds.find(this.db, caller.corpId, id) : undefined;
    if (!existing) throw new NotFoundError('legal hold', { holdId: id });
    return this.transactions.run(async (tx) => {
      await this.holds.lockRetention(tx, caller.corpId);
      const released = await this.holds.release(tx, caller.corpId, id, caller.userId);
      if (!released) return (await this.holds.find(tx, caller.corpId, id))!;
      await this.archive.append(tx, [
        ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.hold.released', { holdId: id, name: released.name }),
      ]);
      return released;
    });
  }
}
