import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { CallerIdentity, DomainError, NotFoundError, TRANSACTIONS, TransactionRunner, Tx } from '@atrium/platform';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { KnownCorp, KnownCorpsRepository } from '../corps/known-corps.repository';
import { AppGrant, WecomTokens } from '../wecom/wecom-tokens';
import { AppCredentialsRepository, OpenApiApp } from './app-credentials.repository';

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');
// 32 random bytes, 43 characters: the shape of a WeCom secret.
const newSecret = () => randomBytes(32).toString('base64url');
const MAX_APPS_LISTED = 500;

/**
 * The credentials of the WeCom-compatible API: per corp one directory-sync secret (directory
 * writes) and one secret per self-built app (reads). Only hashes are stored; a secret is shown
 * once, when it is created or rotated.
 */
@Injectable()
export class AppCredentialsService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly credentials: AppCredentialsRepository,
    private readonly corps: KnownCorpsRepository,
    private readonly tokens: WecomTokens,
  ) {}

  async createApp(caller: CallerIdentity, name: string): Promise<{ app: OpenApiApp; secret: string }> {
    const secret = newSecret();
    const app = await this.transactions.run((tx) =>
      this.credentials.insertApp(tx, {
        corpId: caller.corpId,
        name: name.trim(),
        secretHash: hashSecret(secret),
        createdBy: caller.userId,
      }),
    );
    return { app, secret };
  }

  async rotateAppSecret(caller: CallerIdentity, agentid: number): Promise<{ app: OpenApiApp; secret: string }> {
    const secret = newSecret();
    const app = await this.transactions.run((tx) => this.credentials.replaceAppSecret(tx, caller.corpId, agentid, hashSecret(secret)));
    if (!app) throw new NotFoundError(`app ${agentid}`, { agentid });
    await this.tokens.revokeAll({ corpId: caller.corpId, owner: { kind: 'app', agentid } });
    return { app, secret };
  }

  listApps(caller: CallerIdentity): Promise<OpenApiApp[]> {
    return this.credentials.listApps(this.transactions.manager, caller.corpId, MAX_APPS_LISTED);
  }

  async rotateSyncSecret(caller: CallerIdentity): Promise<string> {
    const secret = newSecret();
    await this.transactions.run((tx) => this.credentials.upsertSyncSecret(tx, caller.corpId, hashSecret(secret), caller.userId));
    await this.tokens.revokeAll({ corpId: caller.corpId, owner: { kind: 'directory_sync' } });
    return secret;
  }

  /** gettoken: corpid is the corp's id or its code. */
  async authenticate(corpid: string, secret: string): Promise<AppGrant> {
    const tx = this.transactions.manager;
    const corp = await this.corps.find(tx, corpid);
    if (!corp) throw new DomainError('CORP_NOT_FOUND', 'unknown corpid');
    const owner = await this.credentials.findOwner(tx, corp.corpId, hashSecret(secret));
    if (!owner) throw new DomainError('INVALID_CREDENTIALS', 'corpsecret is not a secret of this corp');
    return { corpId: corp.corpId, owner };
  }

  /**
   * ATRIUM_SYNC_SECRET becomes the sync secret of the corp named by ATRIUM_SYNC_SECRET_CORP: at
   * start if the gateway already knows that corp, otherwise when it learns of it.
   */
  async seedSyncSecret(tx: Tx, corp: KnownCorp): Promise<void> {
    const secret = this.config.ATRIUM_SYNC_SECRET;
    if (!secret || corp.code !== this.config.ATRIUM_SYNC_SECRET_CORP.toLowerCase()) return;
    if (await this.credentials.upsertSyncSecret(tx, corp.corpId, hashSecret(secret), 'config:ATRIUM_SYNC_SECRET')) {
      await this.tokens.revokeAll({ corpId: corp.corpId, owner: { kind: 'directory_sync' } });
    }
  }

  async seedConfiguredSyncSecret(): Promise<void> {
    if (!this.config.ATRIUM_SYNC_SECRET) return;
    await this.transactions.run(async (tx) => {
      const corp = await this.corps.find(tx, this.config.ATRIUM_SYNC_SECRET_CORP);
      if (corp) await this.seedSyncSecret(tx, corp);
    });
  }
}
