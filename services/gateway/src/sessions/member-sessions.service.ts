import { Inject, Injectable } from '@nestjs/common';
import { RealtimeEvent, realtimeChannels } from '@atrium/contracts';
import { PUBSUB, PubSub, Tx } from '@atrium/platform';
import { RefreshTokensRepository } from '../auth/refresh-tokens.repository';
import { SessionRevocations } from '../auth/session-revocations';

export type CutOffReason = 'offboarded' | 'disabled' | 'deleted';

/** Ends the sessions of a member the directory no longer lets in, and lets a re-enabled one back. */
@Injectable()
export class MemberSessionsService {
  constructor(
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly revocations: SessionRevocations,
  ) {}

  /**
   * The member's sessions (refresh-token families, the durable record) are revoked with the
   * consumer's commit; the cache refuses their access tokens already from its write before it.
   * Should the commit fail, the event comes again and every step repeats harmlessly. The user
   * channel tells every gateway replica to close the member's sockets. Revoked sessions stay
   * revoked: a re-enabled member signs in again.
   */
  async cutOff(tx: Tx, corpId: string, userId: string, reason: CutOffReason): Promise<void> {
    const sessions = await this.refreshTokens.revokeMember(tx, corpId, userId, reason);
    await this.revocations.markRevoked(sessions, 'member_revoked');
    const event: RealtimeEvent = { kind: 'revoked', reason };
    await this.pubsub.publish(realtimeChannels.user(corpId, userId), JSON.stringify(event));
  }
}
