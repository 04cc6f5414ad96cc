import { Tx } from '@atrium/platform';
import { DEFAULT_MEDIA_LIMITS, MediaLimits } from '../media/media-limits';
import { CorpPolicy } from './corp-policy';

interface Row {
  members_may_create_groups: boolean;
  recall_window_seconds: number;
  max_group_members: number;
  watermark_enabled: boolean;
  watermark_template: string;
  file_forwarding: string;
  message_retention_days: number;
  burn_ttl_seconds: number;
  archive_notice: string;
  media_limits: MediaLimits | null;
}

export class CorpPoliciesRepository {
  /** The feature columns, written after `upsert` in the same transaction. */
  async updateFeatures(tx: Tx, corpId: string, policy: CorpPolicy): Promise<void> {
    await tx.query(
      `UPDATE corp_policies SET file_forwarding = $2, message_retention_days = $3, burn_ttl_seconds = $4, archive_notice = $5 WHERE corp_id = $1`,
      [corpId, policy.fileForwarding, policy.messageRetentionDays, policy.burnTtlSeconds, policy.archiveNotice],
    );
  }

  async updateMediaLimits(tx: Tx, corpId: string, limits: MediaLimits): Promise<void> {
    await tx.query(`UPDATE corp_policies SET media_limits = $2 WHERE corp_id = $1`, [corpId, JSON.stringify(limits)]);
  }

  /** Corps whose messages expire, for the retention sweep. */
  async withRetention(tx: Tx): Promise<{ corpId: string; retentionDays: number }[]> {
    const rows = await tx.query<{ corp_id: string; message_retention_days: number }[]>(
      `SELECT corp_id, message_retention_days FROM corp_policies WHERE message_retention_days > 0 ORDER BY corp_id`,
    );
    return rows.map((r) => ({ corpId: r.corp_id, retentionDays: r.message_retention_days }));
  }

  async find(tx: Tx, corpId: string): Promise<CorpPolicy | undefined> {
    const [row] = await tx.query<Row[]>(`SELECT * FROM corp_policies WHERE corp_id = $1`, [corpId]);
    return (
      row && {
        membersMayCreateGroups: row.members_may_create_groups,
        recallWindowSeconds: row.recall_window_seconds,
        maxGroupMembers: row.max_group_members,
        watermarkEnabled: row.watermark_enabled,
        watermarkTemplate: row.watermark_template,
        fileForwarding: row.file_forwarding,
        messageRetentionDays: row.message_retention_days,
        burnTtlSeconds: row.burn_ttl_seconds,
        archiveNotice: row.archive_notice,
        // NULL: the corp never set its own, the platform's defaults apply.
        mediaLimits: row.media_limits ?? DEFAULT_MEDIA_LIMITS,
      }
    );
  }

  async upsert(tx: Tx, corpId: string, policy: CorpPolicy, by: string): Promise<void> {
    await tx.query(
      `INSERT INTO corp_policies (corp_id, members_may_create_groups, recall_window_seconds, max_group_members, watermark_enabled, watermark_template, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (corp_id) DO UPDATE SET members_may_create_groups = EXCLUDED.members_may_create_groups,
         recall_window_seconds = EXCLUDED.recall_window_seconds, max_group_members = EXCLUDED.max_group_members,
         watermark_enabled = EXCLUDED.watermark_enabled, watermark_template = EXCLUDED.watermark_template,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [
        corpId,
        policy.membersMayCreateGroups,
        policy.recallWindowSeconds,
        policy.maxGroupMembers,
        policy.watermarkEnabled,
        policy.watermarkTemplate,
        by,
      ],
    );
  }
}
