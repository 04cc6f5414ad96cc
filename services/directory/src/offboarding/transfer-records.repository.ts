import { queryReturning, Tx } from '@atrium/platform';

export type TransferStatus = 'pending' | 'done' | 'failed';

export interface TransferRecord {
  id: string;
  userid: string;
  successorUserid: string;
  resourceType: string;
  status: TransferStatus;
  transferred: number;
  detail: string;
  updatedAt: string;
}

interface Row {
  id: string;
  userid: string;
  successor_userid: string;
  resource_type: string;
  status: TransferStatus;
  transferred: number;
  detail: string;
  updated_at: Date;
}

const toRecord = (r: Row): TransferRecord => ({
  id: r.id,
  userid: r.userid,
  successorUserid: r.successor_userid,
  resourceType: r.resource_type,
  status: r.status,
  transferred: r.transferred,
  detail: r.detail,
  updatedAt: r.updated_at.toISOString(),
});

export class TransferRecordsRepository {
  async upsert(tx: Tx, corpId: string, record: Omit<TransferRecord, 'id' | 'updatedAt'>): Promise<void> {
    await tx.query(
      `INSERT INTO transfer_records (corp_id, userid, successor_userid, resource_type, status, transferred, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (corp_id, userid, resource_type) DO UPDATE SET successor_userid = EXCLUDED.successor_userid, status = EXCLUDED.status,
         transferred = EXCLUDED.transferred, detail = EXCLUDED.detail, updated_at = now()`,
      [corpId, record.userid, record.successorUserid, record.resourceType, record.status, record.transferred, record.detail],
    );
  }

  async list(tx: Tx, corpId: string, userid: string): Promise<TransferRecord[]> {
    const rows = await tx.query<Row[]>(`SELECT * FROM transfer_records WHERE corp_id = $1 AND userid = $2 ORDER BY resource_type`, [
      corpId,
      userid,
    ]);
    return rows.map(toRecord);
  }

  async transferDepartmentHeads(tx: Tx, corpId: string, from: string, to: string): Promise<number> {
    const rows = await queryReturning<unknown>(
      tx,
      `DELETE FROM department_leaders WHERE corp_id = $1 AND userid = $2 RETURNING department_id`,
      [corpId, from],
    );
    await tx.query(
      `INSERT INTO department_leaders (corp_id, department_id, userid)
       SELECT $1, department_id, $3 FROM unnest($2::int[]) AS department_id ON CONFLICT DO NOTHING`,
      [corpId, (rows as { department_id: number }[]).map((r) => r.department_id), to],
    );
    return rows.length;
  }
}
