import { randomBytes } from 'node:crypto';
import { KvStore } from '@atrium/platform';
import { CredentialOwner } from '../apps/app-credentials.repository';

/** Who a WeCom access token speaks for: one corp's directory-sync credential or one of its apps. */
export interface AppGrant {
  corpId: string;
  owner: CredentialOwner;
}

export type TokenLookup = { grant: AppGrant } | { error: 'invalid' | 'expired' };

interface TokenRecord extends AppGrant {
  issuedAt: number;
  expiresAt: number;
}

interface Slot {
  token: string;
  expiresAt: number;
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{32,128}$/;
// An expired token is remembered a day longer so that its caller hears 42001 (expired), not 40014.
const EXPIRED_MEMORY_SECONDS = 24 * 3600;

const appKey = (grant: AppGrant) => `${grant.corpId}:${grant.owner.kind === 'app' ? grant.owner.agentid : 'directory-sync'}`;
const tokenKey = (token: string) => `wecom-token:${token}`;
const slotKey = (grant: AppGrant) => `wecom-app-token:${appKey(grant)}`;
const revokedKey = (grant: AppGrant) => `wecom-revoked-before:${appKey(grant)}`;

function parse<T>(value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

/**
 * Opaque access tokens of the WeCom-compatible API, in the shared store (every gateway replica
 * sees them). Each app has one current token: asking again inside its lifetime returns it with the
 * time left, as WeCom does. Two replicas racing on an app's first request may both mint one;
 * both stay valid until they expire or the app's secret is rotated.
 */
export class WecomTokens {
  constructor(
    private readonly kv: KvStore,
    private readonly ttlSeconds: number,
  ) {}

  async issue(grant: AppGrant): Promise<{ accessToken: string; expiresIn: number }> {
    const now = Date.now();
    const current = parse<Slot>(await this.kv.get(slotKey(grant)));
    if (current && current.expiresAt - now >= 1_000) {
      return { accessToken: current.token, expiresIn: Math.floor((current.expiresAt - now) / 1_000) };
    }
    const { token, expiresAt } = await this.mint(grant, now);
    await this.kv.set(slotKey(grant), JSON.stringify({ token, expiresAt } satisfies Slot), this.ttlSeconds);
    return { accessToken: token, expiresIn: this.ttlSeconds };
  }

  /** A token issued at `issuedAt` without becoming the app's current one (tests age tokens with it). */
  async mint(grant: AppGrant, issuedAt = Date.now()): Promise<Slot> {
    const token = randomBytes(48).toString('base64url');
    const expiresAt = issuedAt + this.ttlSeconds * 1_000;
    const record: TokenRecord = { corpId: grant.corpId, owner: grant.owner, issuedAt, expiresAt };
    const secondsLeft = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1_000));
    await this.kv.set(tokenKey(token), JSON.stringify(record), secondsLeft + EXPIRED_MEMORY_SECONDS);
    return { token, expiresAt };
  }

  async resolve(token: string): Promise<TokenLookup> {
    if (!TOKEN_FORMAT.test(token)) return { error: 'invalid' };
    const record = parse<TokenRecord>(await this.kv.get(tokenKey(token)));
    if (!record) return { error: 'invalid' };
    if (record.expiresAt <= Date.now()) return { error: 'expired' };
    const revokedBefore = Number(await this.kv.get(revokedKey(record)));
    if (record.issuedAt < revokedBefore) return { error: 'invalid' };
    return { grant: { corpId: record.corpId, owner: record.owner } };
  }

  /** After a secret rotation: every token issued until now stops working. */
  async revokeAll(grant: AppGrant): Promise<void> {
    await this.kv.set(revokedKey(grant), String(Date.now()), this.ttlSeconds + 60);
    await this.kv.delete(slotKey(grant));
  }
}
