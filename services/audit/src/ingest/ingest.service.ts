import { Injectable } from '@nestjs/common';
import { EventDefinition, EventEnvelope } from '@atrium/contracts';
import { Tx } from '@atrium/platform';
import { ArchiveService } from '../archive/archive.service';
import { officerGrantEndedBy } from '../compliance/officer-grant-ending';
import { OfficersRepository } from '../compliance/officers.repository';
import { ownRecord } from '../compliance/own-records';
import { PolicyRepository } from '../policy/policy.repository';
import { projectionChangeOf } from '../scope/projection-change';
import { ScopeRepository } from '../scope/scope.repository';
import { RecordDraft } from '../archive/archive-record';
import { recordFromEvent } from './event-records';

/** An event to archive; `draft`, when given, is recordFromEvent's answer for it, already computed (a bulk writer prefetches keys with it). */
export interface IngestEvent {
  envelope: EventEnvelope;
  definition: EventDefinition;
  draft?: RecordDraft | null;
}

@Injectable()
export class IngestService {
  constructor(
    private readonly archive: ArchiveService,
    private readonly policies: PolicyRepository,
    private readonly scopes: ScopeRepository,
    private readonly officers: OfficersRepository,
  ) {}

  /**
   * Returns how many records were new. Runs in the consumer's transaction (and the CLI's backfill), with the platform's inbox rows: a redelivered event is not
   * seen twice, and the archive's own unique record id makes a replay from elsewhere a no-op too.
   * The department and roster projections follow every event, archived or not, so that records
   * archived after archiving is switched back on are stamped right. Records are appended in runs:
   * a projection change first flushes what came before it, so each record is stamped with the
   * organisation as it was when its event happened. An offboarded or deleted member's officer
   * grant ends in the same transaction.
   */
  async archiveBatch(tx: Tx, events: readonly IngestEvent[]): Promise<number> {
    const archiving = new Map<string, boolean>();
    let pending: RecordDraft[] = [];
    let appended = 0;
    const flush = async () => {
      if (pending.length > 0) appended += await this.archive.append(tx, pending);
      pending = [];
    };
    for (const { envelope, definition, draft: prepared } of events) {
      const change = projectionChangeOf(envelope);
      if (change) {
        await flush();
        await this.scopes.apply(tx, envelope.corpId, change);
      }
      const grantEnding = officerGrantEndedBy(envelope);
      // A replayed event finds no grant left to remove and records nothing twice.
      if (grantEnding && (await this.officers.remove(tx, envelope.corpId, grantEnding.userid))) {
        const { userid, actor, reason } = grantEnding;
        pending.push(ownRecord(envelope.corpId, actor, 'admin_action', 'audit.officer.revoked', { userid, reason }));
      }
      const draft = prepared === undefined ? recordFromEvent(envelope, definition) : prepared;
      if (!draft) continue;
      if (draft.kind !== 'admin_action') {
        let enabled = archiving.get(draft.corpId);
        if (enabled === undefined) archiving.set(draft.corpId, (enabled = await this.policies.archivingEnabled(tx, draft.corpId)));
        if (!enabled) continue;
      }
      pending.push(draft);
    }
    await flush();
    return appended;
  }

  async archiveEvent(tx: Tx, envelope: EventEnvelope, definition: EventDefinition): Promise<void> {
    await this.archiveBatch(tx, [{ envelope, definition }]);
  }
}
