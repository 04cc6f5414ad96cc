import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { Queryable } from '../queryable';

export interface StoredCheckpoint {
  corpId: string;
  fromSeq: number;
  toSeq: number;
  merkleRoot: Buffer;
  headHash: Buffer;
  createdAt: Date;
  signature: Buffer;
  signer: string;
}

interface CheckpointRow {
  corp_id: string;
  from_seq: string;
  to_seq: string;
  merkle_root: Buffer;
  head_hash: Buffer;
  created_at: Date;
  signature: Buffer;
  signer: string;
}

const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({
  corpId: r.corp_id,
  fromSeq: Number(r.from_seq),
  toSeq: Number(r.to_seq),
  merkleRoot: r.merkle_root,
  headHash: r.head_hash,
  createdAt: r.created_at,
  signature: r.signature,
  signer: r.signer,
});

@Injectable()
export class CheckpointsRepository {
  async lastToSeq(tx: Tx, corpId: string): Promise<number> {
    const [row] = await tx.query<{ to_seq: string | null }[]>(
      `SELECT max(to_seq)::text AS to_seq FROM audit_checkpoints WHERE corp_id = $1`,
      [corpId],
    );
    return Number(row.to_seq ?? 0);
  }

  async insert(tx: Tx, c: StoredCheckpoint): Promise<void> {
    await tx.query(
      `INSERT INTO audit_checkpoints (corp_id, from_seq, to_seq, merkle_root, head_hash, created_at, signature, signer)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [c.corpId, c.fromSeq, c.toSeq, c.merkleRoot, c.headHash, c.createdAt, c.signature, c.signer],
    );
  }

  async list(db: Queryable, corpId: string): Promise<StoredCheckpoint[]> {
    const rows = await db.query<CheckpointRow[]>(
      `SELECT corp_id, from_seq::text AS from_seq, to_seq::text AS to_seq, merkle_root, head_hash, created_at, signature, signer
         FROM audit_checkpoints c WHERE c.corp_id = $1 ORDER BY c.from_seq`,
      [corpId],
    );
    return rows.map(toCheckpoint);
  }
}
