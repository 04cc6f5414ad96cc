import { queryReturning, Tx } from '@atrium/platform';

export type RefreshTokenStatus = 'active' | 'rotated' | 'revoked';

/** Why a session ended: its owner or a thief (logout, a replayed refresh token), or the directory. */
export type SessionRevocationReason = 'logout' | 'refresh_token_reused' | 'offboarded' | 'disabled' | 'deleted';

/** A session as its refresh-token family records it; `unknown` for a family without rows. */
export type SessionRecord = { state: 'live' } | { state: 'revoked'; reason: SessionRevocationReason | null } | { state: 'unknown' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

  async revokeFamily(tx: Tx, familyId: string, reason: SessionRevocationReason): Promise<void> {
    await tx.query(`UPDATE refresh_tokens SET status = 'revoked', revoked_reason = $2 WHERE family_id = $1 AND status <> 'revoked'`, [
      familyId,
      reason,
    ]);
  }

  /** Every session of a member (offboarded, disabled or deleted); returns the sessions (family ids) it ended. */
  async revokeMember(tx: Tx, corpId: string, userId: string, reason: SessionRevocationReason): Promise<string[]> {
    const rows = await queryReturning<{ family_id: string }>(
      tx,
      `UPDATE refresh_tokens SET status = 'revoked', revoked_reason = $3 WHERE corp_id = $1 AND user_id = $2 AND status <> 'revoked'
       RETURNING family_id`,
      [corpId, userId, reason],
    );
    return [...new Set(rows.map((r) => r.family_id))];
  }

  /**
   * Every revocation revokes whole families, so one revoked row means the session is over. An
   * access token's session always has rows (it is issued with one): none is `unknown`.
   */
  async findSession(db: Pick<Tx, 'query'>, familyId: string): Promise<SessionRecord> {
    if (!UUID.test(familyId)) return { state: 'unknown' };
    const [row] = await db.query<{ rows: number; revoked: boolean | null; reason: SessionRevocationReason | null }[]>(
      `SELECT count(*)::int AS rows, bool_or(status = 'revoked') AS revoked,
              max(revoked_reason) FILTER (WHERE status = 'revoked') AS reason
         FROM refresh_tokens WHERE family_id = $1`,
      [familyId],
    );
    if (!row || row.rows === 0) return { state: 'unknown' };
    return row.revoked ? { state: 'revoked', reason: row.reason } : { state: 'live' };
  }
}
