import { Inject, Injectable } from '@nestjs/common';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { ARCHIVED_EVENTS } from './archived-events';
import { IngestService } from './ingest.service';

/** Consumes every domain topic into the archive (group `audit.ingest`). */
@Injectable()
export class IngestConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly ingest: IngestService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'audit.ingest',
      events: ARCHIVED_EVENTS,
      handle: (tx, event, definition) => this.ingest.archiveEvent(tx, event, definition),
    });
  }
}
