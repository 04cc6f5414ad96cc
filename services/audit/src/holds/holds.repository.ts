import { Injectable } from '@nestjs/common';
import { queryReturning, Tx } from '@atrium/platform';
import { Queryable } from '../queryable';

export interface LegalHold {
  id: string;
  corpId: string;
  name: string;
  reason: string;
  participants: string[];
  conversationIds: string[];
  from?: Date;
  to?: Date;
  createdBy: string;
  createdAt: Date;
  releasedBy?: string;
  releasedAt?: Date;
}

interface HoldRow {
  id: string;
  corp_id: string;
  name: string;
  reason: string;
  participants: string[];
  conversation_ids: string[];
  from_time: Date | null;
  to_time: Date | null;
  created_by: string;
  created_at: Date;
  released_by: string | null;
  released_at: Date | null;
}

const COLUMNS = `id, corp_id, name, reason, participants, conversation_ids, from_time, to_time, created_by, created_at, released_by, released_at`;

const toHold = (r: HoldRow): LegalHold => ({
  id: r.id,
  corpId: r.corp_id,
  name: r.name,
  reason: r.reason,
  participants: r.participants,
  conversationIds: r.conversation_ids,
  from: r.from_time ?? undefined,
  to: r.to_time ?? undefined,
  createdBy: r.created_by,
  createdAt: r.created_at,
  releasedBy: r.released_by ?? undefined,
  releasedAt: r.released_at ?? undefined,
});

@Injectable()
export class HoldsRepository {
  /**
   * Serialises a corp's retention sweep with its hold changes: a hold created while a sweep runs
   * is seen by it or waits for it, never lost between the sweep's check and its shredding.
   */
  async lockRetention(tx: Tx, corpId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audit-retention:' || $1))`, [corpId]);
  }

  async insert(tx: Tx, hold: Omit<LegalHold, 'createdAt' | 'releasedBy' | 'releasedAt'>): Promise<LegalHold> {
    const [row] = await tx.query<HoldRow[]>(
      `INSERT INTO audit_legal_holds (id, corp_id, name, reason, participants, conversation_ids, from_time, to_time, created_by)
       VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        hold.id,
        hold.corpId,
        hold.name,
        hold.reason,
        hold.participants,
        hold.conversationIds,
        hold.from ?? null,
        hold.to ?? null,
        hold.createdBy,
      ],
    );
    return toHold(row);
  }

  async list(db: Queryable, corpId: string, includeReleased: boolean): Promise<LegalHold[]> {
    const rows = await db.query<HoldRow[]>(
      `SELECT ${COLUMNS} FROM audit_legal_holds WHERE corp_id = $1 AND ($2 OR released_at IS NULL) ORDER BY created_at DESC, id`,
      [corpId, includeReleased],
    );
    return rows.map(toHold);
  }

  async find(db: Queryable, corpId: string, id: string): Promise<LegalHold | undefined> {
    const rows = await db.query<HoldRow[]>(`SELECT ${COLUMNS} FROM audit_legal_holds WHERE corp_id = $1 AND id = $2`, [corpId, id]);
    return rows[0] && toHold(rows[0]);
  }

  /** Undefined when the hold was already released (or is not the corp's). */
  async release(tx: Tx, corpId: string, id: string, by: string): Promise<LegalHold | undefined> {
    const rows = await queryReturning<HoldRow>(
      tx,
      `UPDATE audit_legal_holds SET released_by = $3, released_at = now()
        WHERE corp_id = $1 AND id = $2 AND released_at IS NULL RETURNING ${COLUMNS}`,
      [corpId, id, by],
    );
    return rows[0] && toHold(rows[0]);
  }
}
