import { Inject, Injectable } from '@nestjs/common';
import { ConversationRealtimeEvent, RealtimeEvent, realtimeChannels } from '@atrium/contracts';
import { AppLogger, LOGGER, PUBSUB, PubSub } from '@atrium/platform';

/**
 * Pushes committed changes to the gateway replicas. Called after the transaction commits and
 * never awaited by the sender's response path beyond the publish itself: a lost realtime push
 * costs latency, not data (clients sync by sequence on reconnect).
 */
@Injectable()
export class RealtimePublisher {
  constructor(
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async toConversation(corpId: string, event: ConversationRealtimeEvent): Promise<void> {
    await this.publish(realtimeChannels.conversation(corpId, event.conversationId), event);
  }

  async toUsers(corpId: string, userids: string[], event: RealtimeEvent): Promise<void> {
    await Promise.all(userids.map((u) => this.publish(realtimeChannels.user(corpId, u), event)));
  }

  private async publish(channel: string, event: RealtimeEvent): Promise<void> {
    try {
      await this.pubsub.publish(channel, JSON.stringify(event));
    } catch (error) {
      this.logger.warn({ err: error, channel }, 'realtime publish failed; clients will catch up by sync');
    }
  }
}
