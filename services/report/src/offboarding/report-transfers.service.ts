import { Inject, Injectable } from '@nestjs/common';
import { EventPayload, MemberOffboarded, ReportResourcesTransferred } from '@atrium/contracts';
import { EVENT_BUS, EventBus, transferAndReport, Tx } from '@atrium/platform';
import { REPORT_TRANSFER_STEPS, ReportTransferStep } from './report-transfer-step';

/** 离职交接 for work reports: the directory's `report_reviews` transfer record. */
@Injectable()
export class ReportTransfersService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(REPORT_TRANSFER_STEPS) private readonly steps: readonly ReportTransferStep[],
  ) {}

  /** In the consumer's transaction (see transferAndReport). */
  transferResources(tx: Tx, offboarded: EventPayload<typeof MemberOffboarded>): Promise<void> {
    const reporting = {
      event: ReportResourcesTransferred,
      resourceType: 'report_reviews',
      nothingToMove: 'the report service holds no reports yet: nothing to transfer',
    } as const;
    return transferAndReport(tx, this.bus, reporting, this.steps, offboarded);
  }
}
