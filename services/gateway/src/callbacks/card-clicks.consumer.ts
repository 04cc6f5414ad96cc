import { Inject, Injectable } from '@nestjs/common';
import { CardClicked } from '@atrium/contracts';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { AppCallbacksService } from './app-callbacks.service';

/**
 * `messaging.card.clicked` (group `gateway.callbacks`): queues WeCom's template_card_event for the
 * app that sent the card. Only the enqueue runs here, in the consumer's transaction with the inbox
 * row, so a replay adds nothing and a slow app never holds the partition.
 */
@Injectable()
export class CardClicksConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly callbacks: AppCallbacksService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'gateway.callbacks',
      // A busy topic (every message sent) and no need for milliseconds: fewer, fuller fetches.
      fetchInBulk: true,
      events: [CardClicked],
      handle: (tx, event) => this.callbacks.enqueueCardClick(tx, event.id, event.payload),
    });
  }
}
