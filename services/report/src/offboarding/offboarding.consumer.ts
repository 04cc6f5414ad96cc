import { Inject, Injectable } from '@nestjs/common';
import { MemberOffboarded } from '@atrium/contracts';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { ReportTransfersService } from './report-transfers.service';

/** `directory.member.offboarded` (group `report.offboarding`): the member's report reviews pass to the successor. */
@Injectable()
export class OffboardingConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly transfers: ReportTransfersService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'report.offboarding',
      events: [MemberOffboarded],
      handle: (tx, event) => this.transfers.transferResources(tx, event.payload),
    });
  }
}
