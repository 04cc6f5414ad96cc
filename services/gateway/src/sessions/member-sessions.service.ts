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
   * Access tokens are refused from the store write on; the refresh tokens with the consumer's
   * commit. Should the commit fail, the event comes again and every step repeats harmlessly. The
   * user channel tells every gateway replica to close the member's sockets.
   */
  async cutOff(tx: Tx, corpId: string, userId: string, reason: CutOffReason): Promise<void> {
    await this.revocations.revokeMember(corpId, userId);
    await this.refreshTokens.revokeMember(tx, corpId, userId);
    const event: RealtimeEvent = { kind: 'revoked', reason };
    await this.pubsub.publish(realtimeChannels.user(corpId, userId), JSON.stringify(event));
  }

  /** Revoked refresh tokens stay revoked: a re-enabled member signs in again. */
  restore(corpId: string, userId: string): Promise<void> {
    return this.revocations.restoreMember(corpId, userId);
  }
}
