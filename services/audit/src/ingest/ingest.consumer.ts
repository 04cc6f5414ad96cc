import { Inject, Injectable } from '@nestjs/common';
import { DIRECTORY_EVENTS, GATEWAY_EVENTS } from '@atrium/contracts';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { IngestService } from './ingest.service';

/** Consumes the domain topics into the audit journal (group `audit.ingest`). */
@Injectable()
export class IngestConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly ingest: IngestService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'audit.ingest',
      events: [...DIRECTORY_EVENTS, ...GATEWAY_EVENTS],
      handle: (tx, event, definition) => this.ingest.recordEvent(tx, event, definition),
    });
  }
}
