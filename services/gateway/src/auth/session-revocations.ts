import { KvStore } from '@atrium/platform';

const memberKey = (corpId: string, userId: string) => `revoked-user:${corpId}:${userId.toLowerCase()}`;

/**
 * Access tokens are stateless, so a logout or a detected token theft must be checked on every
 * request: revoked session ids and revoked members live in the shared store until every token of
 * theirs has expired.
 */
export class SessionRevocations {
  constructor(
    private readonly kv: KvStore,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  revoke(sessionId: string): Promise<void> {
    return this.kv.set(`revoked-session:${sessionId}`, '1', this.accessTokenTtlSeconds + 60);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.kv.get(`revoked-session:${sessionId}`)) !== undefined;
  }

  /** A member who left or was disabled: every access token of theirs is refused until it expires. */
  revokeMember(corpId: string, userId: string): Promise<void> {
    return this.kv.set(memberKey(corpId, userId), '1', this.accessTokenTtlSeconds + 60);
  }

  restoreMember(corpId: string, userId: string): Promise<void> {
    return this.kv.delete(memberKey(corpId, userId));
  }

  async isMemberRevoked(corpId: string, userId: string): Promise<boolean> {
    return (await this.kv.get(memberKey(corpId, userId))) !== undefined;
  }
}
