import { DomainError, KvStore } from '@atrium/platform';

export interface LoginThrottleSettings {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

/**
 * Counts failed logins per account and per client address in the shared store, so the limit
 * holds across gateway replicas. Only failures count: a user who types correctly is never slowed.
 */
export class LoginThrottle {
  constructor(
    private readonly kv: KvStore,
    private readonly settings: LoginThrottleSettings,
  ) {}

  private keys(corp: string, account: string, ip: string) {
    return { account: `login-fail:acct:${corp.toLowerCase()}:${account.toLowerCase()}`, ip: `login-fail:ip:${ip}` };
  }

  async assertAllowed(corp: string, account: string, ip: string): Promise<void> {
    const keys = this.keys(corp, account, ip);
    const [byAccount, byIp] = await Promise.all([this.kv.peek(keys.account), this.kv.peek(keys.ip)]);
    const blocked = [
      byAccount.count >= this.settings.maxFailuresPerAccount ? byAccount.ttlMs : 0,
      byIp.count >= this.settings.maxFailuresPerIp ? byIp.ttlMs : 0,
    ];
    const waitMs = Math.max(...blocked);
    if (waitMs > 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new DomainError('RATE_LIMITED', `too many failed logins; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  }

  async recordFailure(corp: string, account: string, ip: string): Promise<void> {
    const keys = this.keys(corp, account, ip);
    await Promise.all([
      this.kv.increment(keys.account, this.settings.windowSeconds),
      this.kv.increment(keys.ip, this.settings.windowSeconds),
    ]);
  }

  async recordSuccess(corp: string, account: string, ip: string): Promise<void> {
    await this.kv.delete(this.keys(corp, account, ip).account);
  }
}
