import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { CallerIdentity, DomainError, NotFoundError, TRANSACTIONS, TransactionRunner, Tx, ValidationError } from '@atrium/platform';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { KnownCorp, KnownCorpsRepository } from '../corps/known-corps.repository';
import { AppGrant, WecomTokens } from '../wecom/wecom-tokens';
import { AppAudience, ROOT_DEPARTMENT_ID } from './app-audience';
import { AppCredentialsRepository, AppPatch, FIRST_AGENTID, OpenApiApp, VisibleRange } from './app-credentials.repository';

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');
// 32 random bytes, 43 characters: the shape of a WeCom secret.
const newSecret = () => randomBytes(32).toString('base64url');
const MAX_APPS_LISTED = 500;
const EMPTY_RANGE: VisibleRange = { userids: [], departmentIds: [], tagIds: [] };

export interface AppInput {
  name: string;
  description?: string;
  visibleRange?: VisibleRange;
}

const normaliseRange = (range: VisibleRange): VisibleRange => ({
  userids: [...new Set(range.userids.map((u) => u.trim().toLowerCase()).filter(Boolean))].sort(),
  departmentIds: [...new Set(range.departmentIds)].sort((a, b) => a - b),
  tagIds: [...new Set(range.tagIds)].sort((a, b) => a - b),
});

/**
 * The credentials of the WeCom-compatible API: per corp one directory-sync secret (directory
 * writes) and one secret per self-built app (directory reads; messages to the members of its
 * visible range). Only hashes are stored; a secret is shown once, when it is created or rotated.
 */
@Injectable()
export class AppCredentialsService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly credentials: AppCredentialsRepository,
    private readonly corps: KnownCorpsRepository,
    private readonly tokens: WecomTokens,
    private readonly audience: AppAudience,
  ) {}

  async createApp(caller: CallerIdentity, input: AppInput): Promise<{ app: OpenApiApp; secret: string }> {
    const visibleRange = await this.checkedRange(caller, input.visibleRange ?? EMPTY_RANGE);
    const secret = newSecret();
    const app = await this.transactions.run((tx) =>
      this.credentials.insertApp(tx, {
        corpId: caller.corpId,
        name: input.name.trim(),
        description: input.description?.trim() ?? '',
        visibleRange,
        secretHash: hashSecret(secret),
        createdBy: caller.userId,
      }),
    );
    return { app, secret };
  }

  async getApp(caller: CallerIdentity, agentid: number): Promise<OpenApiApp> {
    const app = await this.credentials.findApp(this.transactions.manager, caller.corpId, agentid);
    if (!app) throw new NotFoundError(`app ${agentid}`, { agentid });
    return app;
  }

  async updateApp(caller: CallerIdentity, agentid: number, patch: AppPatch): Promise<OpenApiApp> {
    const visibleRange = patch.visibleRange && (await this.checkedRange(caller, patch.visibleRange));
    const app = await this.transactions.run((tx) =>
      this.credentials.updateApp(tx, caller.corpId, agentid, {
        name: patch.name?.trim(),
        description: patch.description?.trim(),
        visibleRange,
      }),
    );
    if (!app) throw new NotFoundError(`app ${agentid}`, { agentid });
    return app;
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

  /** A range naming members, departments or tags the directory does not know is refused whole. */
  private async checkedRange(caller: CallerIdentity, range: VisibleRange): Promise<VisibleRange> {
    const clean = normaliseRange(range);
    const unknown = await this.audience.unknownParts(caller, clean);
    if (unknown.userids.length + unknown.departmentIds.length + unknown.tagIds.length > 0) {
      throw new ValidationError('the visible range names unknown or inactive members, departments or tags', {
        field: 'visibleRange',
        unknown,
      });
    }
    return clean;
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

  /**
   * ATRIUM_APP_SECRET becomes the secret of app 1000002 of the same corp (embedded mode's demo app),
   * which is created seeing the whole corp if missing. Its range and name are the admin's after that.
   */
  async seedApp(tx: Tx, corp: KnownCorp): Promise<void> {
    const secret = this.config.ATRIUM_APP_SECRET;
    if (!secret || corp.code !== this.config.ATRIUM_SYNC_SECRET_CORP.toLowerCase()) return;
    const changed = await this.credentials.upsertSeededApp(tx, {
      corpId: corp.corpId,
      agentid: FIRST_AGENTID,
      name: 'Atrium',
      description: 'The app of ATRIUM_APP_SECRET',
      visibleRange: { userids: [], departmentIds: [ROOT_DEPARTMENT_ID], tagIds: [] },
      secretHash: hashSecret(secret),
      createdBy: 'config:ATRIUM_APP_SECRET',
    });
    if (changed) await this.tokens.revokeAll({ corpId: corp.corpId, owner: { kind: 'app', agentid: FIRST_AGENTID } });
  }

  async seedConfiguredSyncSecret(): Promise<void> {
    if (!this.config.ATRIUM_SYNC_SECRET && !this.config.ATRIUM_APP_SECRET) return;
    await this.transactions.run(async (tx) => {
      const corp = await this.corps.find(tx, this.config.ATRIUM_SYNC_SECRET_CORP);
      if (corp) {
        await this.seedSyncSecret(tx, corp);
        await this.seedApp(tx, corp);
      }
    });
  }
}
