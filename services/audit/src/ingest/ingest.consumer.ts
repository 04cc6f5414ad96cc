import { Inject, Injectable } from '@nestjs/common';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { ARCHIVED_EVENTS } from './archived-events';
import { IngestService } from './ingest.service';

/**
 * Consumes every domain topic into the archive (group `audit.ingest`), up to 500 events of a
 * partition per transaction: one chain-head lock, one multi-row insert of records and of index
 * rows per run, instead of a transaction per event.
 */
@Injectable()
export class IngestConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly ingest: IngestService,
  ) {}

  start(): Promise<void> {
    return this.bus.consumeBatch({
      groupId: 'audit.ingest',
      // A busy topic (every message sent) and no need for milliseconds: fewer, fuller fetches.
      fetchInBulk: true,
      events: ARCHIVED_EVENTS,
      maxBatchSize: 500,
      handleBatch: async (tx, events) => void (await this.ingest.archiveBatch(tx, events)),
    });
  }
}
