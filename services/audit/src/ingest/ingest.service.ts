import { Injectable } from '@nestjs/common';
import { EventDefinition, EventEnvelope } from '@atrium/contracts';
import { Tx } from '@atrium/platform';
import { ReceiptsRepository } from './receipts.repository';

@Injectable()
export class IngestService {
  constructor(private readonly receipts: ReceiptsRepository) {}

  recordEvent(tx: Tx, event: EventEnvelope, definition: EventDefinition): Promise<void> {
    return this.receipts.insert(tx, {
      eventId: event.id,
      corpId: event.corpId,
      eventType: event.type,
      topic: definition.topic,
      occurredAt: event.occurredAt,
    });
  }
}
