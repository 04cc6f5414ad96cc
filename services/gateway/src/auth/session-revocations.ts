import { DomainError, KvStore, Tx } from '@atrium/platform';
import { RefreshTokensRepository, SessionRecord, SessionRevocationReason } from './refresh-tokens.repository';

/** What an access token's session allows: `live`, ended by its owner or a thief, or by the directory. */
export type SessionVerdict = 'live' | 'session_revoked' | 'member_revoked';

export interface SessionRevocationSettings {
  accessTokenTtlSeconds: number;
  /** How long a `live` answer is cached: bounds how stale it can be should a revocation miss the cache. */
  liveCacheSeconds: number;
  /** A slower cache is skipped for the database rather than waited for. */
  cacheTimeoutMs: number;
}

const cacheKey = (sessionId: string) => `session-verdict:${sessionId}`;
const VERDICTS: ReadonlySet<string> = new Set<SessionVerdict>(['live', 'session_revoked', 'member_revoked']);
const MEMBER_REASONS: ReadonlySet<SessionRevocationReason | null> = new Set<SessionRevocationReason | null>([
  'offboarded',
  'disabled',
  'deleted',
]);

function verdictOf(record: SessionRecord): SessionVerdict {
  if (record.state === 'live') return 'live';
  if (record.state === 'revoked' && MEMBER_REASONS.has(record.reason)) return 'member_revoked';
  // A session the database does not know issued no token this gateway should accept.
  return 'session_revoked';
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Access tokens are stateless, so a logout, a replayed refresh token or a member cut off by the
 * directory must be checked on every request. The record is the session's refresh-token family in
 * the gateway's PostgreSQL (it survives Redis and a restart of embedded mode); the shared store
 * caches each session's verdict in front of it. Neither answering is a 503, never an acceptance.
 */
export class SessionRevocations {
  constructor(
    private readonly kv: KvStore,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly db: () => Pick<Tx, 'query'>,
    private readonly settings: SessionRevocationSettings,
  ) {}

  async verdict(sessionId: string): Promise<SessionVerdict> {
    const cached = await within(this.kv.get(cacheKey(sessionId)), this.settings.cacheTimeoutMs).catch(() => undefined);
    if (cached !== undefined && VERDICTS.has(cached)) return cached as SessionVerdict;
    let record: SessionRecord;
    try {
      record = await this.refreshTokens.findSession(this.db(), sessionId);
    } catch {
      throw new DomainError('UNAVAILABLE', 'sign-in state cannot be checked right now; try again shortly');
    }
    const verdict = verdictOf(record);
    // `live` only where nothing is cached: a revocation written meanwhile must not be overwritten.
    const write: Promise<unknown> =
      verdict === 'live'
        ? this.kv.setIfAbsent(cacheKey(sessionId), verdict, this.settings.liveCacheSeconds)
        : this.kv.set(cacheKey(sessionId), verdict, this.revokedCacheSeconds);
    await within(write, this.settings.cacheTimeoutMs).catch(() => undefined);
    return verdict;
  }

  /**
   * Caches the revocation of sessions already revoked (or being revoked) in the database. Best
   * effort: the database is the record, and a `live` entry the cache kept expires within
   * `liveCacheSeconds`.
   */
  async markRevoked(sessionIds: readonly string[], verdict: Exclude<SessionVerdict, 'live'>): Promise<void> {
    await Promise.all(
      sessionIds.map((id) =>
        within(this.kv.set(cacheKey(id), verdict, this.revokedCacheSeconds), this.settings.cacheTimeoutMs).catch(() => undefined),
      ),
    );
  }

  private get revokedCacheSeconds(): number {
    // Past this, every access token of the session has expired anyway.
    return this.settings.accessTokenTtlSeconds + 60;
  }
}
