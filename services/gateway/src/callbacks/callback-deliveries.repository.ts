import { queryReturning, Tx } from '@atrium/platform';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface CallbackDelivery {
  corpId: string;
  id: string;
  agentid: number;
  eventId: string;
  eventType: string;
  plaintext: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  failedAt: Date | null;
}

interface Row {
  corp_id: string;
  id: string;
  agentid: number;
  event_id: string;
  event_type: string;
  plaintext: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  failed_at: Date | null;
}

const toDelivery = (r: Row): CallbackDelivery => ({
  corpId: r.corp_id,
  id: r.id,
  agentid: r.agentid,
  eventId: r.event_id,
  eventType: r.event_type,
  plaintext: r.plaintext,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  failedAt: r.failed_at,
});

export class CallbackDeliveriesRepository {
  /** Nothing when this event was enqueued for this app before. */
  async enqueue(tx: Tx, d: Pick<CallbackDelivery, 'corpId' | 'id' | 'agentid' | 'eventId' | 'eventType' | 'plaintext'>): Promise<void> {
    await tx.query(
      `INSERT INTO callback_deliveries (corp_id, id, agentid, event_id, event_type, plaintext) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (corp_id, agentid, event_id) DO NOTHING`,
      [d.corpId, d.id, d.agentid, d.eventId, d.eventType, d.plaintext],
    );
  }

  /** Whether any delivery is due: one indexed read, so an idle worker's poll opens no transaction. */
  async anyDue(db: Pick<Tx, 'query'>): Promise<boolean> {
    const [{ due }] = await db.query<{ due: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM callback_deliveries WHERE status = 'pending' AND next_attempt_at <= now()) AS due`,
    );
    return due;
  }

  /**
   * Claims up to `limit` due deliveries across all corps and counts the try: each is leased until
   * `leaseMs` from now, after which a replica that lost track of it (a crash) tries it again.
   */
  async claimDue(tx: Tx, limit: number, leaseMs: number): Promise<CallbackDelivery[]> {
    const rows = await queryReturning<Row>(
      tx,
      `UPDATE callback_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
         FROM (SELECT corp_id, id FROM callback_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE d.corp_id = due.corp_id AND d.id = due.id
        RETURNING d.*`,
      [limit, leaseMs],
    );
    return rows.map(toDelivery);
  }

  async markDelivered(tx: Tx, d: CallbackDelivery, status: number): Promise<void> {
    await tx.query(
      `UPDATE callback_deliveries SET status = 'delivered', delivered_at = now(), last_status = $3, last_error = NULL
        WHERE corp_id = $1 AND id = $2 AND status = 'pending'`,
      [d.corpId, d.id, status],
    );
  }

  /** Another try after `retryInMs`, or (with `retryInMs` null) the delivery has failed for good. */
  async markAttemptFailed(tx: Tx, d: CallbackDelivery, status: number | null, error: string, retryInMs: number | null): Promise<void> {
    await tx.query(
      retryInMs === null
        ? `UPDATE callback_deliveries SET status = 'failed', failed_at = now(), last_status = $3, last_error = $4
            WHERE corp_id = $1 AND id = $2 AND status = 'pending'`
        : `UPDATE callback_deliveries SET next_attempt_at = now() + make_interval(secs => $5::float8 / 1000), last_status = $3, last_error = $4
            WHERE corp_id = $1 AND id = $2 AND status = 'pending'`,
      retryInMs === null ? [d.corpId, d.id, status, error.slice(0, 1_000)] : [d.corpId, d.id, status, error.slice(0, 1_000), retryInMs],
    );
  }

  async list(tx: Tx, corpId: string, filter: { agentid?: number; status?: DeliveryStatus }, limit: number): Promise<CallbackDelivery[]> {
    const rows = await tx.query<Row[]>(
      `SELECT * FROM callback_deliveries WHERE corp_id = $1 AND ($2::int IS NULL OR agentid = $2) AND ($3::text IS NULL OR status = $3)
        ORDER BY created_at DESC, id LIMIT $4`,
      [corpId, filter.agentid ?? null, filter.status ?? null, limit],
    );
    return rows.map(toDelivery);
  }
}
