import { Inject, Injectable } from '@nestjs/common';
import { MemberOffboarded } from '@atrium/contracts';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { OffboardingService } from './offboarding.service';

/** `directory.member.offboarded` (group `messaging.offboarding`): the member's groups pass to the successor. */
@Injectable()
export class OffboardingConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly offboarding: OffboardingService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'messaging.offboarding',
      events: [MemberOffboarded],
      handle: (tx, event) => this.offboarding.handOverGroups(tx, event.payload),
    });
  }
}
