import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { Queryable } from '../queryable';

export interface ArchivePublicKey {
  version: number;
  publicKeyPem: string;
  fingerprint: string;
  createdBy: string;
  createdAt: Date;
}

interface KeyRow {
  version: number;
  public_key_pem: string;
  fingerprint: string;
  created_by: string;
  created_at: Date;
}

const toKey = (r: KeyRow): ArchivePublicKey => ({
  version: r.version,
  publicKeyPem: r.public_key_pem,
  fingerprint: r.fingerprint,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const KEY_COLUMNS = `version, public_key_pem, fingerprint, created_by, created_at`;

/** The pull API's credentials: the corp's public keys (every version kept), its pull secret and the tokens issued for it. */
@Injectable()
export class PullRepository {
  async addPublicKey(tx: Tx, corpId: string, key: Omit<ArchivePublicKey, 'version' | 'createdAt'>): Promise<ArchivePublicKey> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audit-public-key:' || $1))`, [corpId]);
    const [row] = await tx.query<KeyRow[]>(
      `INSERT INTO audit_public_keys (corp_id, version, public_key_pem, fingerprint, created_by)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM audit_public_keys WHERE corp_id = $1
       RETURNING ${KEY_COLUMNS}`,
      [corpId, key.publicKeyPem, key.fingerprint, key.createdBy],
    );
    return toKey(row);
  }

  async publicKeys(db: Queryable, corpId: string): Promise<ArchivePublicKey[]> {
    const rows = await db.query<KeyRow[]>(`SELECT ${KEY_COLUMNS} FROM audit_public_keys WHERE corp_id = $1 ORDER BY version DESC`, [
      corpId,
    ]);
    return rows.map(toKey);
  }

  async latestPublicKey(db: Queryable, corpId: string): Promise<ArchivePublicKey | undefined> {
    const rows = await db.query<KeyRow[]>(`SELECT ${KEY_COLUMNS} FROM audit_public_keys WHERE corp_id = $1 ORDER BY version DESC LIMIT 1`, [
      corpId,
    ]);
    return rows[0] && toKey(rows[0]);
  }

  /** A new secret (hash) for the corp; every token of the previous one is deleted. Returns its version. */
  async replaceSecret(tx: Tx, corpId: string, secretHash: Buffer, by: string): Promise<number> {
    const [row] = await tx.query<{ version: number }[]>(
      `INSERT INTO audit_pull_secrets (corp_id, version, secret_hash, created_by) VALUES ($1, 1, $2, $3)
       ON CONFLICT (corp_id) DO UPDATE SET version = audit_pull_secrets.version + 1, secret_hash = $2, created_by = $3, created_at = now()
       RETURNING version`,
      [corpId, secretHash, by],
    );
    await tx.query(`DELETE FROM audit_pull_tokens WHERE corp_id = $1`, [corpId]);
    return row.version;
  }

  async secret(db: Queryable, corpId: string): Promise<{ version: number; secretHash: Buffer } | undefined> {
    const rows = await db.query<{ version: number; secret_hash: Buffer }[]>(
      `SELECT version, secret_hash FROM audit_pull_secrets WHERE corp_id = $1`,
      [corpId],
    );
    return rows[0] && { version: rows[0].version, secretHash: rows[0].secret_hash };
  }

  async addToken(tx: Tx, corpId: string, tokenHash: Buffer, secretVersion: number, expiresAt: Date): Promise<void> {
    await tx.query(`DELETE FROM audit_pull_tokens WHERE corp_id = $1 AND expires_at < now()`, [corpId]);
    await tx.query(`INSERT INTO audit_pull_tokens (token_hash, corp_id, secret_version, expires_at) VALUES ($1, $2, $3, $4)`, [
      tokenHash,
      corpId,
      secretVersion,
      expiresAt,
    ]);
  }

  /** Whether the token is live: the corp's, not expired, issued for its current secret. */
  async tokenValid(db: Queryable, corpId: string, tokenHash: Buffer): Promise<boolean> {
    const rows = await db.query<{ ok: boolean }[]>(
      `SELECT true AS ok FROM audit_pull_tokens t JOIN audit_pull_secrets s ON s.corp_id = t.corp_id AND s.version = t.secret_version
        WHERE t.corp_id = $1 AND t.token_hash = $2 AND t.expires_at > now()`,
      [corpId, tokenHash],
    );
    return rows.length > 0;
  }
}
