import { Inject, Injectable } from '@nestjs/common';
import { MemberOffboarded } from '@atrium/contracts';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { ApprovalTransfersService } from './approval-transfers.service';

/** `directory.member.offboarded` (group `approval.offboarding`): the member's approvals pass to the successor. */
@Injectable()
export class OffboardingConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly transfers: ApprovalTransfersService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'approval.offboarding',
      events: [MemberOffboarded],
      handle: (tx, event) => this.transfers.transferResources(tx, event.payload),
    });
  }
}
