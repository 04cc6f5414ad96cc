import { queryReturning, Tx } from '@atrium/platform';

export interface OpenApiApp {
  corpId: string;
  agentid: number;
  name: string;
  createdBy: string;
  createdAt: Date;
  secretRotatedAt: Date;
}

/** What a secret unlocks: the corp's directory-sync credential or one of its apps. */
export type CredentialOwner = { kind: 'directory_sync' } | { kind: 'app'; agentid: number };

interface AppRow {
  corp_id: string;
  agentid: number;
  name: string;
  created_by: string;
  created_at: Date;
  secret_rotated_at: Date;
}

const toApp = (row: AppRow): OpenApiApp => ({
  corpId: row.corp_id,
  agentid: row.agentid,
  name: row.name,
  createdBy: row.created_by,
  createdAt: row.created_at,
  secretRotatedAt: row.secret_rotated_at,
});

// WeCom numbers a corp's self-built apps from 1000002 on; integrations sometimes assume 7 digits.
const FIRST_AGENTID = 1_000_002;

export class AppCredentialsRepository {
  /** Allocates the corp's next agentid; the advisory lock keeps two concurrent creations apart. */
  async insertApp(tx: Tx, app: { corpId: string; name: string; secretHash: string; createdBy: string }): Promise<OpenApiApp> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('open_api_apps:' || $1))`, [app.corpId]);
    const [row] = await tx.query<AppRow[]>(
      `INSERT INTO open_api_apps (corp_id, agentid, name, secret_hash, created_by)
       SELECT $1, coalesce(max(agentid) + 1, $5), $2, $3, $4 FROM open_api_apps WHERE corp_id = $1
       RETURNING corp_id, agentid, name, created_by, created_at, secret_rotated_at`,
      [app.corpId, app.name, app.secretHash, app.createdBy, FIRST_AGENTID],
    );
    return toApp(row);
  }

  async replaceAppSecret(tx: Tx, corpId: string, agentid: number, secretHash: string): Promise<OpenApiApp | undefined> {
    const [row] = await queryReturning<AppRow>(
      tx,
      `UPDATE open_api_apps SET secret_hash = $3, secret_rotated_at = now() WHERE corp_id = $1 AND agentid = $2
       RETURNING corp_id, agentid, name, created_by, created_at, secret_rotated_at`,
      [corpId, agentid, secretHash],
    );
    return row && toApp(row);
  }

  async listApps(tx: Tx, corpId: string, limit: number): Promise<OpenApiApp[]> {
    const rows = await tx.query<AppRow[]>(
      `SELECT corp_id, agentid, name, created_by, created_at, secret_rotated_at FROM open_api_apps WHERE corp_id = $1
        ORDER BY agentid LIMIT $2`,
      [corpId, limit],
    );
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
