import { Injectable } from '@nestjs/common';
import { DomainError } from '@atrium/platform';
import { AccessTokens, VerifiedAccessToken } from './access-tokens';
import { SessionRevocations } from './session-revocations';

/**
 * Access token checks shared by HTTP requests and WebSocket upgrades: signature, algorithm,
 * iss/aud/exp, a session not revoked by logout or theft, a member not offboarded or disabled.
 */
@Injectable()
export class BearerAuthenticator {
  constructor(
    private readonly accessTokens: AccessTokens,
    private readonly revocations: SessionRevocations,
  ) {}

  async authenticate(token: string | undefined): Promise<VerifiedAccessToken> {
    if (!token) throw new DomainError('UNAUTHENTICATED', 'missing bearer access token');
    const claims = this.accessTokens.verify(token);
    const verdict = await this.revocations.verdict(claims.sessionId);
    if (verdict === 'session_revoked') throw new DomainError('UNAUTHENTICATED', 'session has been revoked');
    if (verdict === 'member_revoked') throw new DomainError('UNAUTHENTICATED', 'account is no longer active');
    return claims;
  }

  /** The token of an `Authorization: Bearer` header. */
  static fromHeader(header: string | undefined): string | undefined {
    return header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  }
}
