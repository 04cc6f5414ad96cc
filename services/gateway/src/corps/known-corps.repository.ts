import { Tx } from '@atrium/platform';

export interface KnownCorp {
  corpId: string;
  code: string;
  name: string;
}

interface Row {
  corp_id: string;
  code: string;
  name: string;
}

export class KnownCorpsRepository {
  async remember(tx: Tx, corp: KnownCorp): Promise<void> {
    await tx.query(
      `INSERT INTO known_corps (corp_id, code, name) VALUES ($1, $2, $3)
       ON CONFLICT (corp_id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name
        WHERE known_corps.code <> EXCLUDED.code OR known_corps.name <> EXCLUDED.name`,
      [corp.corpId, corp.code, corp.name],
    );
  }

  /** By id, or by code (codes are lower-case). */
  async find(tx: Tx, idOrCode: string): Promise<KnownCorp | undefined> {
    const [row] = await tx.query<Row[]>(`SELECT corp_id, code, name FROM known_corps WHERE corp_id = $1 OR code = lower($1) LIMIT 1`, [
      idOrCode,
    ]);
    return row && { corpId: row.corp_id, code: row.code, name: row.name };
  }
}
