import { Injectable } from '@nestjs/common';
import { EventDefinition, EventEnvelope } from '@atrium/contracts';
import { Tx } from '@atrium/platform';
import { ArchiveService } from '../archive/archive.service';
import { PolicyRepository } from '../policy/policy.repository';
import { recordFromEvent } from './event-records';

@Injectable()
export class IngestService {
  constructor(
    private readonly archive: ArchiveService,
    private readonly policies: PolicyRepository,
  ) {}

  /**
   * Runs in the consumer's transaction, with the platform's inbox row: a redelivered event is not
   * seen twice, and the archive's own unique record id makes a replay from elsewhere a no-op too.
   */
  async archiveEvent(tx: Tx, event: EventEnvelope, definition: EventDefinition): Promise<void> {
    const draft = recordFromEvent(event, definition);
    if (!draft) return;
    if (draft.kind !== 'admin_action' && !(await this.policies.archivingEnabled(tx, draft.corpId))) return;
    await this.archive.append(tx, [draft]);
  }
}
