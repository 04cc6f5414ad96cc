import { queryReturning, Tx } from '@atrium/platform';

export interface AppCallback {
  corpId: string;
  agentid: number;
  url: string;
  token: string;
  encodingAesKey: string;
  verifiedAt: Date;
  updatedBy: string;
}

interface Row {
  corp_id: string;
  agentid: number;
  url: string;
  token: string;
  encoding_aes_key: string;
  verified_at: Date;
  updated_by: string;
}

const toCallback = (r: Row): AppCallback => ({
  corpId: r.corp_id,
  agentid: r.agentid,
  url: r.url,
  token: r.token,
  encodingAesKey: r.encoding_aes_key,
  verifiedAt: r.verified_at,
  updatedBy: r.updated_by,
});

export class AppCallbacksRepository {
  async appExists(tx: Tx, corpId: string, agentid: number): Promise<boolean> {
    const rows = await tx.query<unknown[]>(`SELECT 1 FROM open_api_apps WHERE corp_id = $1 AND agentid = $2`, [corpId, agentid]);
    return rows.length > 0;
  }

  async upsert(tx: Tx, c: AppCallback): Promise<AppCallback> {
    const [row] = await tx.query<Row[]>(
      `INSERT INTO app_callbacks (corp_id, agentid, url, token, encoding_aes_key, verified_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (corp_id, agentid) DO UPDATE SET url = EXCLUDED.url, token = EXCLUDED.token, encoding_aes_key = EXCLUDED.encoding_aes_key,
         verified_at = EXCLUDED.verified_at, updated_by = EXCLUDED.updated_by
       RETURNING *`,
      [c.corpId, c.agentid, c.url, c.token, c.encodingAesKey, c.verifiedAt, c.updatedBy],
    );
    return toCallback(row);
  }

  async find(tx: Tx, corpId: string, agentid: number): Promise<AppCallback | undefined> {
    const [row] = await tx.query<Row[]>(`SELECT * FROM app_callbacks WHERE corp_id = $1 AND agentid = $2`, [corpId, agentid]);
    return row && toCallback(row);
  }

  async remove(tx: Tx, corpId: string, agentid: number): Promise<boolean> {
    const rows = await queryReturning<{ agentid: number }>(
      tx,
      `DELETE FROM app_callbacks WHERE corp_id = $1 AND agentid = $2 RETURNING agentid`,
      [corpId, agentid],
    );
    return rows.length > 0;
  }
}
