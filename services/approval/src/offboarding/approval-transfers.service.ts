import { Inject, Injectable } from '@nestjs/common';
import { ApprovalResourcesTransferred, EventPayload, MemberOffboarded, MovedResources, transferReport } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { APPROVAL_TRANSFER_STEPS, ApprovalTransferStep } from './approval-transfer-step';

/** 离职交接 for approvals: the directory's `approvals` transfer record. */
@Injectable()
export class ApprovalTransfersService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(APPROVAL_TRANSFER_STEPS) private readonly steps: readonly ApprovalTransferStep[],
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
    const report = transferReport(offboarded, 'approvals', moved, 'the approval service holds no approvals yet: nothing to transfer');
    await this.bus.publish(tx, ApprovalResourcesTransferred, corpId, report);
  }
}
