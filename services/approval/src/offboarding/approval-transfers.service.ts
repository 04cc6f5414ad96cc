import { Inject, Injectable } from '@nestjs/common';
import { ApprovalResourcesTransferred, EventPayload, MemberOffboarded } from '@atrium/contracts';
import { EVENT_BUS, EventBus, transferAndReport, Tx } from '@atrium/platform';
import { APPROVAL_TRANSFER_STEPS, ApprovalTransferStep } from './approval-transfer-step';

/** 离职交接 for approvals: the directory's `approvals` transfer record. */
@Injectable()
export class ApprovalTransfersService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(APPROVAL_TRANSFER_STEPS) private readonly steps: readonly ApprovalTransferStep[],
  ) {}

  /** In the consumer's transaction (see transferAndReport). */
  transferResources(tx: Tx, offboarded: EventPayload<typeof MemberOffboarded>): Promise<void> {
    const reporting = {
      event: ApprovalResourcesTransferred,
      resourceType: 'approvals',
      nothingToMove: 'the approval service holds no approvals yet: nothing to transfer',
    } as const;
    return transferAndReport(tx, this.bus, reporting, this.steps, offboarded);
  }
}
