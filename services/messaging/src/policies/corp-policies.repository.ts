import { Tx } from '@atrium/platform';
import { CorpPolicy } from './corp-policy';

interface Row {
  members_may_create_groups: boolean;
  recall_window_seconds: number;
  max_group_members: number;
  watermark_enabled: boolean;
  watermark_template: string;
}

export class CorpPoliciesRepository {
  async find(tx: Tx, corpId: string): Promise<CorpPolicy | undefined> {
    const [row] = await tx.query<Row[]>(`SELECT * FROM corp_policies WHERE corp_id = $1`, [corpId]);
    return (
      row && {
        membersMayCreateGroups: row.members_may_create_groups,
        recallWindowSeconds: row.recall_window_seconds,
        maxGroupMembers: row.max_group_members,
        watermarkEnabled: row.watermark_enabled,
        watermarkTemplate: row.watermark_template,
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
