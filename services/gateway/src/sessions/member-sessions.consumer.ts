import { Inject, Injectable } from '@nestjs/common';
import { EventOf, MemberDeleted, MemberDisabled, MemberOffboarded } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { MemberSessionsService } from './member-sessions.service';

/**
 * Member status changes from `directory.events` (group `gateway.sessions`): offboarded, disabled
 * and deleted members lose their sessions at once. A re-enabled member signs in again (the
 * directory lets them), so the enable needs nothing here.
 */
@Injectable()
export class MemberSessionsConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly sessions: MemberSessionsService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'gateway.sessions',
      events: [MemberOffboarded, MemberDisabled, MemberDeleted],
      handle: (tx, event) => this.handle(tx, event),
    });
  }

  private handle(tx: Tx, event: EventOf<typeof MemberOffboarded | typeof MemberDisabled | typeof MemberDeleted>): Promise<void> {
    const { corpId, userid } = event.payload;
    switch (event.type) {
      case MemberOffboarded.type:
        return this.sessions.cutOff(tx, corpId, userid, 'offboarded');
      case MemberDisabled.type:
        return this.sessions.cutOff(tx, corpId, userid, 'disabled');
      case MemberDeleted.type:
        return this.sessions.cutOff(tx, corpId, userid, 'deleted');
      default:
        // Only the three subscribed types are decoded for this group.
        return Promise.resolve();
    }
  }
}
