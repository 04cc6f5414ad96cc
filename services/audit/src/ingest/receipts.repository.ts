import { Tx } from '@atrium/platform';

export interface Receipt {
  eventId: string;
  corpId: string;
  eventType: string;
  topic: string;
  occurredAt: string;
}

export class ReceiptsRepository {
  /** Insert-if-absent: a replayed event leaves one row. */
  async insert(tx: Tx, receipt: Receipt): Promise<void> {
    await tx.query(
      `INSERT INTO event_receipts (event_id, corp_id, event_type, topic, occurred_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`,
      [receipt.eventId, receipt.corpId, receipt.eventType, receipt.topic, receipt.occurredAt],
    );
  }
}
