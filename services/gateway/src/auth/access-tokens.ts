import { createSecretKey, KeyObject, randomUUID } from 'node:crypto';
import { CallerIdentity, DomainError } from '@atrium/platform';
import jwt from 'jsonwebtoken';

export interface AccessTokenClaims extends CallerIdentity {
  sessionId: string;
}

/** A verified token: its claims and when it was issued (seconds), which member revocations compare against. */
export interface VerifiedAccessToken extends AccessTokenClaims {
  issuedAt: number;
}

export interface AccessTokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

// An explicit allow-list: a token claiming `none` or an asymmetric algorithm is refused outright.
const ALGORITHMS: jwt.Algorithm[] = ['HS256'];

export class AccessTokens {
  // A ready KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a PEM
  // key on every call, a measurable share of an authenticated request's CPU.
  private readonly key: KeyObject;

  constructor(private readonly settings: AccessTokenSettings) {
    this.key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
  }

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  issue(claims: AccessTokenClaims): string {
    return jwt.sign({ corp: claims.corpId, roles: claims.roles, sid: claims.sessionId }, this.key, {
      algorithm: 'HS256',
      subject: claims.userId,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      expiresIn: this.settings.ttlSeconds,
      jwtid: randomUUID(),
    });
  }

  verify(token: string): VerifiedAccessToken {
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, {
        algorithms: ALGORITHMS,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        complete: false,
      }) as jwt.JwtPayload;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new DomainError('TOKEN_EXPIRED', 'access token has expired');
      throw new DomainError('UNAUTHENTICATED', 'access token is invalid');
    }
    // jsonwebtoken checks `exp` only when present: a token signed without one would never expire.
    if (typeof payload.exp !== 'number') throw new DomainError('UNAUTHENTICATED', 'access token has no expiry');
    const { sub, corp, roles, sid, iat } = payload as { sub?: unknown; corp?: unknown; roles?: unknown; sid?: unknown; iat?: unknown };
    if (
      typeof iat !== 'number' ||
      typeof sub !== 'string' ||
      typeof corp !== 'string' ||
      typeof sid !== 'string' ||
      !Array.isArray(roles)
    ) {
      throw new DomainError('UNAUTHENTICATED', 'access token is invalid');
    }
    return { userId: sub, corpId: corp, roles: roles.map(String), sessionId: sid, issuedAt: iat };
  }
}
