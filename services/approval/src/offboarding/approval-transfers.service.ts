import { Inject, Injectable } from '@nestjs/common';
import { ApprovalResourcesTransferred, EventPayload, MemberOffboarded } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { APPROVAL_TRANSFER_STEPS, ApprovalTransferStep } from './approval-transfer-step';

type Offboarded = EventPayload<typeof MemberOffboarded>;

/**
 * 离职交接 for approvals: what an offboarded member leaves here passes to their successor, and the
 * directory hears how much (its `approvals` transfer record), in one transaction.
 */
@Injectable()
export class ApprovalTransfersService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(APPROVAL_TRANSFER_STEPS) private readonly steps: readonly ApprovalTransferStep[],
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
    await this.bus.publish(tx, ApprovalResourcesTransferred, corpId, {
      corpId,
      userid,
      successorUserid,
      resourceType: 'approvals',
      transferred,
      status: 'done',
      detail: moved.length > 0 ? moved.join(', ') : 'the approval service holds no approvals yet: nothing to transfer',
    });
  }
}
