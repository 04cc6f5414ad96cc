import { Inject, Injectable } from '@nestjs/common';
import { RESOURCE_TRANSFER_EVENTS } from '@atrium/contracts';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { OffboardingService } from './offboarding.service';

/** Consumes the other services' transfer reports (group `directory.transfers`). */
@Injectable()
export class TransfersConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly offboarding: OffboardingService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'directory.transfers',
      // A busy topic (every message sent) and no need for milliseconds: fewer, fuller fetches.
      fetchInBulk: true,
      events: RESOURCE_TRANSFER_EVENTS,
      handle: (tx, event) => this.offboarding.recordRemoteTransfer(tx, event),
    });
  }
}
