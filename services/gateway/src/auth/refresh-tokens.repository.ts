import { Tx } from '@atrium/platform';

export type RefreshTokenStatus = 'active' | 'rotated' | 'revoked';

export interface RefreshTokenRow {
  id: string;
  familyId: string;
  corpId: string;
  userId: string;
  roles: string[];
  secretHash: string;
  status: RefreshTokenStatus;
  expiresAt: Date;
}

interface DbRow {
  id: string;
  family_id: string;
  corp_id: string;
  user_id: string;
  roles: string[];
  secret_hash: string;
  status: RefreshTokenStatus;
  expires_at: Date;
}

export class RefreshTokensRepository {
  async insert(tx: Tx, row: RefreshTokenRow): Promise<void> {
    await tx.query(
      `INSERT INTO refresh_tokens (id, family_id, corp_id, user_id, roles, secret_hash, status, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, row.familyId, row.corpId, row.userId, row.roles, row.secretHash, row.status, row.expiresAt],
    );
  }

  /** Locks the row: two concurrent refreshes of one token cannot both rotate it. */
  async findForUpdate(tx: Tx, id: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await tx.query<DbRow[]>(`SELECT * FROM refresh_tokens WHERE id = $1 FOR UPDATE`, [id]);
    return (
      row && {
        id: row.id,
        familyId: row.family_id,
        corpId: row.corp_id,
        userId: row.user_id,
        roles: row.roles,
        secretHash: row.secret_hash,
        status: row.status,
        expiresAt: row.expires_at,
      }
    );
  }

  async markRotated(tx: Tx, id: string): Promise<void> {
    await tx.query(`UPDATE refresh_tokens SET status = 'rotated', rotated_at = now() WHERE id = $1`, [id]);
  }

  async revokeFamily(tx: Tx, familyId: string): Promise<void> {
    await tx.query(`UPDATE refresh_tokens SET status = 'revoked' WHERE family_id = $1 AND status <> 'revoked'`, [familyId]);
  }

  /** Every session of a member (offboarded, disabled or deleted). */
  async revokeMember(tx: Tx, corpId: string, userId: string): Promise<void> {
    await tx.query(`UPDATE refresh_tokens SET status = 'revoked' WHERE corp_id = $1 AND user_id = $2 AND status <> 'revoked'`, [
      corpId,
      userId,
    ]);
  }
}
