import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';

const TOKEN_SECONDS = 4 * 3600;
/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters whatever the count. */
const BATCH = 5_000;

export interface MintedUser {
  userid: string;
  roles: string[];
}

/**
 * Access tokens for many members without an argon2 sign-in each (thousands of them would measure
 * sign-in, not what a benchmark is after), signed with the platform's key. Each token's session
 * is recorded as a sign-in records it — a refresh-token row of its own family in the gateway's
 * database — because the gateway checks every token's session there and refuses one it does not
 * know ("session has been revoked"). The refresh secrets are random and thrown away: these
 * sessions are never refreshed.
 */
export async function mintSessions(
  gatewayDatabaseUrl: string,
  jwtSecret: string,
  corpId: string,
  users: MintedUser[],
): Promise<Map<string, string>> {
  const sessions = users.map((user) => ({ ...user, sid: randomUUID() }));
  const expiresAt = new Date(Date.now() + TOKEN_SECONDS * 1000);
  const gateway = new Client({ connectionString: gatewayDatabaseUrl });
  await gateway.connect();
  try {
    for (let i = 0; i < sessions.length; i += BATCH) {
      const batch = sessions.slice(i, i + BATCH);
      await gateway.query(
        `INSERT INTO refresh_tokens (id, family_id, corp_id, user_id, roles, secret_hash, status, expires_at)
         SELECT gen_random_uuid(), s.sid, $1, s.userid, string_to_array(s.roles, ','), s.hash, 'active', $5
           FROM unnest($2::uuid[], $3::text[], $4::text[], $6::text[]) AS s(sid, userid, roles, hash)`,
        [
          corpId,
          batch.map((s) => s.sid),
          batch.map((s) => s.userid),
          batch.map((s) => s.roles.join(',')),
          expiresAt,
          batch.map(() => randomBytes(32).toString('base64url')),
        ],
      );
    }
  } finally {
    await gateway.end();
  }
  return new Map(
    sessions.map((s) => [
      s.userid,
      jwt.sign({ corp: corpId, roles: s.roles, sid: s.sid }, jwtSecret, {
        algorithm: 'HS256',
        subject: s.userid,
        issuer: 'atrium',
        audience: 'atrium-api',
        expiresIn: TOKEN_SECONDS,
      }),
    ]),
  );
}
