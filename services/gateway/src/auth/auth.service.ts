import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { directoryV1, SessionRevoked } from '@atrium/contracts';
import { DomainError, EVENT_BUS, EventBus, TRANSACTIONS, TransactionRunner, Tx } from '@atrium/platform';
import { GATEWAY_IDENTITY, ServiceClients } from '../clients/service-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';
import { KnownCorpsService } from '../corps/known-corps.service';
import { AccessTokens } from './access-tokens';
import { LoginThrottle } from './login-throttle';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionRevocations } from './session-revocations';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface SessionOwner {
  corpId: string;
  userId: string;
  roles: string[];
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

@Injectable()
export class AuthService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly clients: ServiceClients,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly revocations: SessionRevocations,
    private readonly throttle: LoginThrottle,
    private readonly corps: KnownCorpsService,
  ) {}

  async login(corp: string, account: string, password: string, clientIp: string): Promise<TokenPair> {
    await this.throttle.assertAllowed(corp, account, clientIp);
    let authenticated;
    try {
      authenticated = await this.clients.directory.call(
        'AuthenticateMember',
        (directory, metadata) => directory.authenticateMember({ corpCode: corp, account, password, clientIp }, metadata),
        GATEWAY_IDENTITY,
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'INVALID_CREDENTIALS') await this.throttle.recordFailure(corp, account, clientIp);
      throw error;
    }
    await this.throttle.recordSuccess(corp, account, clientIp);
    const { member, corp: signedInto } = authenticated;
    if (!member || !signedInto) throw new DomainError('INTERNAL', 'directory answered without a member');
    return this.transactions.run(async (tx) => {
      await this.corps.learn(tx, { corpId: signedInto.id, code: signedInto.code, name: signedInto.name });
      return this.startSession(tx, { corpId: member.corpId, userId: member.userid, roles: member.roles }, randomUUID());
    });
  }

  /**
   * Rotates a refresh token. A token that was already rotated is being replayed — by its thief or
   * by its owner after theft — so the whole session family is revoked and neither keeps access.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const [id, secret] = refreshToken.split('.');
    if (!id || !secret || !/^[0-9a-f-]{36}$/.test(id)) throw new DomainError('UNAUTHENTICATED', 'refresh token is invalid');
    const outcome = await this.transactions.run(async (tx) => {
      const row = await this.refreshTokens.findForUpdate(tx, id);
      const expected = Buffer.from(row?.secretHash ?? '');
      const given = Buffer.from(hashSecret(secret));
      if (!row || expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return { error: new DomainError('UNAUTHENTICATED', 'refresh token is invalid') };
      }
      if (row.status === 'rotated') {
        await this.refreshTokens.revokeFamily(tx, row.familyId, 'refresh_token_reused');
        await this.bus.publish(tx, SessionRevoked, row.corpId, {
          corpId: row.corpId,
          userId: row.userId,
          sessionId: row.familyId,
          reason: 'refresh_token_reused',
        });
        return {
          error: new DomainError('REFRESH_TOKEN_REUSED', 'refresh token was already used; the session has been revoked'),
          revoke: row.familyId,
        };
      }
      if (row.status === 'revoked') return { error: new DomainError('UNAUTHENTICATED', 'session has been revoked') };
      if (row.expiresAt.getTime() <= Date.now()) return { error: new DomainError('TOKEN_EXPIRED', 'refresh token has expired') };
      await this.assertStillActive(row);
      await this.refreshTokens.markRotated(tx, row.id);
      return { tokens: await this.startSession(tx, row, row.familyId) };
    });
    if (outcome.revoke) await this.revocations.markRevoked([outcome.revoke], 'session_revoked');
    if (outcome.error) throw outcome.error;
    return outcome.tokens;
  }

  async logout(owner: SessionOwner, sessionId: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.refreshTokens.revokeFamily(tx, sessionId, 'logout');
      await this.bus.publish(tx, SessionRevoked, owner.corpId, { corpId: owner.corpId, userId: owner.userId, sessionId, reason: 'logout' });
    });
    await this.revocations.markRevoked([sessionId], 'session_revoked');
  }

  /** A member disabled or offboarded since login gets no new access token. */
  private async assertStillActive(owner: SessionOwner): Promise<void> {
    const { member } = await this.clients.directory.call(
      'GetMember',
      (directory, metadata) => directory.getMember({ userid: owner.userId }, metadata),
      {
        corpId: owner.corpId,
        userId: owner.userId,
        roles: owner.roles,
      },
    );
    if (!member || member.status !== directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE)
      throw new DomainError('ACCOUNT_DISABLED', 'this account can no longer sign in');
  }

  private async startSession(tx: Tx, owner: SessionOwner, familyId: string): Promise<TokenPair> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert(tx, {
      id,
      familyId,
      corpId: owner.corpId,
      userId: owner.userId,
      roles: owner.roles,
      secretHash: hashSecret(secret),
      status: 'active',
      expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
    });
    return {
      accessToken: this.accessTokens.issue({ corpId: owner.corpId, userId: owner.userId, roles: owner.roles, sessionId: familyId }),
      refreshToken: `${id}.${secret}`,
      expiresIn: this.accessTokens.ttlSeconds,
    };
  }
}
