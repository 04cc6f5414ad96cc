import { Inject, Injectable } from '@nestjs/common';
import { EventPayload, MemberOffboarded, ReportResourcesTransferred } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { REPORT_TRANSFER_STEPS, ReportTransferStep } from './report-transfer-step';

type Offboarded = EventPayload<typeof MemberOffboarded>;

/**
 * 离职交接 for work reports: the reviews an offboarded member leaves here pass to their successor,
 * and the directory hears how many (its `report_reviews` transfer record), in one transaction.
 */
@Injectable()
export class ReportTransfersService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(REPORT_TRANSFER_STEPS) private readonly steps: readonly ReportTransferStep[],
  ) {}

  /**
   * Call in the consumer's transaction: the reassignments, the report in the outbox and the inbox
   * row commit together, so a redelivered event changes nothing twice and reports once.
   */
  async transferResources(tx: Tx, { corpId, userid, successorUserid }: Offboarded): Promise<void> {
    const moved: string[] = [];
    let transferred = 0;
    for (const step of this.steps) {
      const count = await step.transfer(tx, corpId, userid, successorUserid);
      transferred += count;
      moved.push(`${count} ${step.resource}`);
    }
    await this.bus.publish(tx, ReportResourcesTransferred, corpId, {
      corpId,
      userid,
      successorUserid,
      resourceType: 'report_reviews',
      transferred,
      status: 'done',
      detail: moved.length > 0 ? moved.join(', ') : 'the report service holds no reports yet: nothing to transfer',
    });
  }
}
