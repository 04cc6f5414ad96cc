import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { Queryable } from '../queryable';
import { ExportFormat } from './export-format';

export interface StoredExport {
  id: string;
  corpId: string;
  officer: string;
  format: ExportFormat;
  /** As recorded: what was asked (see describeFilter). */
  filter: Record<string, unknown>;
  maxRecords: number;
  snapshotSeq: number;
  recordCount: number;
  tokenHash: Buffer;
  createdAt: Date;
  completedAt?: Date;
}

interface ExportRow {
  id: string;
  corp_id: string;
  officer: string;
  format: ExportFormat;
  filter: Record<string, unknown>;
  max_records: number;
  snapshot_seq: string;
  record_count: number;
  token_hash: Buffer;
  created_at: Date;
  completed_at: Date | null;
}

const COLUMNS = `id, corp_id, officer, format, filter, max_records, snapshot_seq::text AS snapshot_seq, record_count, token_hash, created_at, completed_at`;

const toExport = (r: ExportRow): StoredExport => ({
  id: r.id,
  corpId: r.corp_id,
  officer: r.officer,
  format: r.format,
  filter: r.filter,
  maxRecords: r.max_records,
  snapshotSeq: Number(r.snapshot_seq),
  recordCount: r.record_count,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  completedAt: r.completed_at ?? undefined,
});

/** Every export of the archive: mutable bookkeeping beside the append-only chain (which records each one too). */
@Injectable()
export class ExportsRepository {
  async insert(tx: Tx, e: Omit<StoredExport, 'recordCount' | 'completedAt'>): Promise<StoredExport> {
    const [row] = await tx.query<ExportRow[]>(
      `INSERT INTO audit_exports (id, corp_id, officer, format, filter, max_records, snapshot_seq, token_hash, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [e.id, e.corpId, e.officer, e.format, JSON.stringify(e.filter), e.maxRecords, e.snapshotSeq, e.tokenHash, e.createdAt],
    );
    return toExport(row);
  }

  async find(db: Queryable, corpId: string, id: string): Promise<StoredExport | undefined> {
    const rows = await db.query<ExportRow[]>(`SELECT ${COLUMNS} FROM audit_exports WHERE corp_id = $1 AND id = $2`, [corpId, id]);
    return rows[0] && toExport(rows[0]);
  }

  async byTokenHash(db: Queryable, corpId: string, tokenHash: Buffer): Promise<StoredExport | undefined> {
    const rows = await db.query<ExportRow[]>(`SELECT ${COLUMNS} FROM audit_exports WHERE corp_id = $1 AND token_hash = $2`, [
      corpId,
      tokenHash,
    ]);
    return rows[0] && toExport(rows[0]);
  }

  async list(db: Queryable, corpId: string, limit = 1_000): Promise<StoredExport[]> {
    const rows = await db.query<ExportRow[]>(
      `SELECT ${COLUMNS} FROM audit_exports WHERE corp_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [corpId, limit],
    );
    return rows.map(toExport);
  }

  async recordProgress(db: Queryable, corpId: string, id: string, recordCount: number): Promise<void> {
    await db.query(`UPDATE audit_exports SET record_count = GREATEST(record_count, $3) WHERE corp_id = $1 AND id = $2`, [
      corpId,
      id,
      recordCount,
    ]);
  }

  /** True the first time only: the export's completion is archived once. */
  async complete(tx: Tx, corpId: string, id: string, recordCount: number): Promise<boolean> {
    const rows = await tx.query<{ id: string }[]>(
      `WITH done AS (UPDATE audit_exports SET record_count = $3, completed_at = now()
                      WHERE corp_id = $1 AND id = $2 AND completed_at IS NULL RETURNING id)
       SELECT id FROM done`,
      [corpId, id, recordCount],
    );
    return rows.length > 0;
  }
}
