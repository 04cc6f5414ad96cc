import { Inject, Injectable } from '@nestjs/common';
import { ReportResourcesTransferred, EventPayload, MemberOffboarded, MovedResources, transferReport } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { REPORT_TRANSFER_STEPS, ReportTransferStep } from './report-transfer-step';

/** 离职交接 for work reports: the directory's `report_reviews` transfer record. */
@Injectable()
export class ReportTransfersService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(REPORT_TRANSFER_STEPS) private readonly steps: readonly ReportTransferStep[],
  ) {}

  /**
   * Runs every step for the offboarded member and tells the directory how much moved. In the
   * consumer's transaction: the reassignments, the report in the outbox and the inbox row commit
   * together, so a redelivered event changes nothing twice and reports once.
   */
  async transferResources(tx: Tx, offboarded: EventPayload<typeof MemberOffboarded>): Promise<void> {
    const { corpId, userid, successorUserid } = offboarded;
    const moved: MovedResources[] = [];
    for (const step of this.steps) moved.push({ resource: step.resource, count: await step.transfer(tx, corpId, userid, successorUserid) });
    const report = transferReport(offboarded, 'report_reviews', moved, 'the report service holds no reports yet: nothing to transfer');
    await this.bus.publish(tx, ReportResourcesTransferred, corpId, report);
  }
}
