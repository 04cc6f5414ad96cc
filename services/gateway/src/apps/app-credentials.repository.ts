import { queryReturning, Tx } from '@atrium/platform';

/** Who an app may see and message: members, departments (with their subtrees) and tags. */
export interface VisibleRange {
  userids: string[];
  departmentIds: number[];
  tagIds: number[];
}

export interface OpenApiApp {
  corpId: string;
  agentid: number;
  name: string;
  description: string;
  visibleRange: VisibleRange;
  createdBy: string;
  createdAt: Date;
  secretRotatedAt: Date;
}

export interface AppPatch {
  name?: string;
  description?: string;
  visibleRange?: VisibleRange;
}

/** What a secret unlocks: the corp's directory-sync credential or one of its apps. */
export type CredentialOwner = { kind: 'directory_sync' } | { kind: 'app'; agentid: number };

interface AppRow {
  corp_id: string;
  agentid: number;
  name: string;
  description: string;
  visible_userids: string[];
  visible_department_ids: number[];
  visible_tag_ids: number[];
  created_by: string;
  created_at: Date;
  secret_rotated_at: Date;
}

const APP_COLUMNS = `corp_id, agentid, name, description, visible_userids, visible_department_ids, visible_tag_ids, created_by, created_at,
       secret_rotated_at`;

const toApp = (row: AppRow): OpenApiApp => ({
  corpId: row.corp_id,
  agentid: row.agentid,
  name: row.name,
  description: row.description,
  visibleRange: { userids: row.visible_userids, departmentIds: row.visible_department_ids, tagIds: row.visible_tag_ids },
  createdBy: row.created_by,
  createdAt: row.created_at,
  secretRotatedAt: row.secret_rotated_at,
});

// WeCom numbers a corp's self-built apps from 1000002 on; integrations sometimes assume 7 digits.
export const FIRST_AGENTID = 1_000_002;

const lockAgentids = (tx: Tx, corpId: string) => tx.query(`SELECT pg_advisory_xact_lock(hashtext('open_api_apps:' || $1))`, [corpId]);

export class AppCredentialsRepository {
  /** Allocates the corp's next agentid; the advisory lock keeps two concurrent creations apart. */
  async insertApp(
    tx: Tx,
    app: { corpId: string; name: string; description: string; visibleRange: VisibleRange; secretHash: string; createdBy: string },
  ): Promise<OpenApiApp> {
    await lockAgentids(tx, app.corpId);
    const [row] = await tx.query<AppRow[]>(
      `INSERT INTO open_api_apps (corp_id, agentid, name, description, visible_userids, visible_department_ids, visible_tag_ids, secret_hash, created_by)
       SELECT $1, coalesce(max(agentid) + 1, $9), $2, $3, $4, $5, $6, $7, $8 FROM open_api_apps WHERE corp_id = $1
       RETURNING ${APP_COLUMNS}`,
      [
        app.corpId,
        app.name,
        app.description,
        app.visibleRange.userids,
        app.visibleRange.departmentIds,
        app.visibleRange.tagIds,
        app.secretHash,
        app.createdBy,
        FIRST_AGENTID,
      ],
    );
    return toApp(row);
  }

  /**
   * The app a configured secret belongs to (embedded mode's demo app): created with the given
   * range if missing, its secret replaced if different. True when the secret changed.
   */
  async upsertSeededApp(
    tx: Tx,
    app: {
      corpId: string;
      agentid: number;
      name: string;
      description: string;
      visibleRange: VisibleRange;
      secretHash: string;
      createdBy: string;
    },
  ): Promise<boolean> {
    await lockAgentids(tx, app.corpId);
    const rows = await tx.query<unknown[]>(
      `INSERT INTO open_api_apps (corp_id, agentid, name, description, visible_userids, visible_department_ids, visible_tag_ids, secret_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (corp_id, agentid) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, secret_rotated_at = now()
        WHERE open_api_apps.secret_hash <> EXCLUDED.secret_hash
       RETURNING agentid`,
      [
        app.corpId,
        app.agentid,
        app.name,
        app.description,
        app.visibleRange.userids,
        app.visibleRange.departmentIds,
        app.visibleRange.tagIds,
        app.secretHash,
        app.createdBy,
      ],
    );
    return rows.length > 0;
  }

  async replaceAppSecret(tx: Tx, corpId: string, agentid: number, secretHash: string): Promise<OpenApiApp | undefined> {
    const [row] = await queryReturning<AppRow>(
      tx,
      `UPDATE open_api_apps SET secret_hash = $3, secret_rotated_at = now() WHERE corp_id = $1 AND agentid = $2
       RETURNING ${APP_COLUMNS}`,
      [corpId, agentid, secretHash],
    );
    return row && toApp(row);
  }

  async updateApp(tx: Tx, corpId: string, agentid: number, patch: AppPatch): Promise<OpenApiApp | undefined> {
    const range = patch.visibleRange;
    const [row] = await queryReturning<AppRow>(
      tx,
      `UPDATE open_api_apps SET name = coalesce($3, name), description = coalesce($4, description),
              visible_userids = coalesce($5, visible_userids), visible_department_ids = coalesce($6, visible_department_ids),
              visible_tag_ids = coalesce($7, visible_tag_ids)
        WHERE corp_id = $1 AND agentid = $2
       RETURNING ${APP_COLUMNS}`,
      [
        corpId,
        agentid,
        patch.name ?? null,
        patch.description ?? null,
        range?.userids ?? null,
        range?.departmentIds ?? null,
        range?.tagIds ?? null,
      ],
    );
    return row && toApp(row);
  }

  async findApp(tx: Tx, corpId: string, agentid: number): Promise<OpenApiApp | undefined> {
    const [row] = await tx.query<AppRow[]>(`SELECT ${APP_COLUMNS} FROM open_api_apps WHERE corp_id = $1 AND agentid = $2`, [
      corpId,
      agentid,
    ]);
    return row && toApp(row);
  }

  async listApps(tx: Tx, corpId: string, limit: number): Promise<OpenApiApp[]> {
    const rows = await tx.query<AppRow[]>(`SELECT ${APP_COLUMNS} FROM open_api_apps WHERE corp_id = $1 ORDER BY agentid LIMIT $2`, [
      corpId,
      limit,
    ]);
    return rows.map(toApp);
  }

  /** True when the secret changed (a seed with the same secret is a no-op). */
  async upsertSyncSecret(tx: Tx, corpId: string, secretHash: string, rotatedBy: string): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `INSERT INTO directory_sync_secrets (corp_id, secret_hash, rotated_by) VALUES ($1, $2, $3)
       ON CONFLICT (corp_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, rotated_by = EXCLUDED.rotated_by, rotated_at = now()
        WHERE directory_sync_secrets.secret_hash <> EXCLUDED.secret_hash
       RETURNING corp_id`,
      [corpId, secretHash, rotatedBy],
    );
    return rows.length > 0;
  }

  async findOwner(tx: Tx, corpId: string, secretHash: string): Promise<CredentialOwner | undefined> {
    const [sync] = await tx.query<unknown[]>(`SELECT 1 FROM directory_sync_secrets WHERE corp_id = $1 AND secret_hash = $2`, [
      corpId,
      secretHash,
    ]);
    if (sync) return { kind: 'directory_sync' };
    const [app] = await tx.query<{ agentid: number }[]>(`SELECT agentid FROM open_api_apps WHERE corp_id = $1 AND secret_hash = $2`, [
      corpId,
      secretHash,
    ]);
    return app && { kind: 'app', agentid: app.agentid };
  }
}
