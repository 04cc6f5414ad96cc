import { KvStore } from '@atrium/platform';

/**
 * Access tokens are stateless, so a logout or a detected token theft must be checked on every
 * request: revoked session ids live in the shared store until every token of theirs has expired.
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
}
