import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { Queryable } from '../queryable';

export interface ArchivePolicy {
  archivingEnabled: boolean;
  /** 0: kept forever. */
  retentionDays: number;
}

/** A corp with no row archives everything and keeps it forever. */
export const DEFAULT_POLICY: ArchivePolicy = { archivingEnabled: true, retentionDays: 0 };

@Injectable()
export class PolicyRepository {
  async get(db: Queryable, corpId: string): Promise<ArchivePolicy> {
    const rows = await db.query<{ archiving_enabled: boolean; retention_days: number }[]>(
      `SELECT archiving_enabled, retention_days FROM audit_corp_settings WHERE corp_id = $1`,
      [corpId],
    );
    return rows[0] ? { archivingEnabled: rows[0].archiving_enabled, retentionDays: rows[0].retention_days } : DEFAULT_POLICY;
  }

  async archivingEnabled(db: Queryable, corpId: string): Promise<boolean> {
    return (await this.get(db, corpId)).archivingEnabled;
  }

  async save(tx: Tx, corpId: string, policy: ArchivePolicy, by: string): Promise<void> {
    await tx.query(
      `INSERT INTO audit_corp_settings (corp_id, archiving_enabled, retention_days, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (corp_id) DO UPDATE SET archiving_enabled = $2, retention_days = $3, updated_by = $4, updated_at = now()`,
      [corpId, policy.archivingEnabled, policy.retentionDays, by],
    );
  }

  async withRetention(db: Queryable): Promise<{ corpId: string; retentionDays: number }[]> {
    const rows = await db.query<{ corp_id: string; retention_days: number }[]>(
      `SELECT corp_id, retention_days FROM audit_corp_settings WHERE retention_days > 0`,
    );
    return rows.map((r) => ({ corpId: r.corp_id, retentionDays: r.retention_days }));
  }
}
