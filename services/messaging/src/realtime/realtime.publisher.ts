import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConversationRealtimeEvent, RealtimeEvent, realtimeChannels } from '@atrium/contracts';
import { AppLogger, LOGGER, PUBSUB, PubSub } from '@atrium/platform';

const RESYNC_RETRY_MS = 1_000;

/**
 * Pushes committed changes to the gateway replicas. Called after the transaction commits and
 * never awaited by the sender's response path beyond the publish itself, which fails at once
 * while Redis is unreachable: a lost realtime push costs latency, not data. Once publishing works
 * again, a `resync` broadcast tells every replica to have its clients sync from their cursors, so
 * nobody waits for the next message to notice the gap.
 */
@Injectable()
export class RealtimePublisher implements OnModuleDestroy {
  private resyncTimer?: NodeJS.Timeout;
  private failures = 0;

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

  onModuleDestroy(): void {
    clearInterval(this.resyncTimer);
  }

  private async publish(channel: string, event: RealtimeEvent): Promise<void> {
    try {
      await this.pubsub.publish(channel, JSON.stringify(event));
    } catch (error) {
      this.logger.warn({ err: error, channel }, 'realtime publish failed; clients will be told to resync');
      this.scheduleResync();
    }
  }

  private scheduleResync(): void {
    this.failures++;
    if (this.resyncTimer) return;
    const event: RealtimeEvent = { kind: 'resync', reason: 'realtime delivery was interrupted' };
    this.resyncTimer = setInterval(() => {
      // A failure after this broadcast left needs another one: only what it covered is settled.
      const covered = this.failures;
      this.pubsub.publish(realtimeChannels.resync(), JSON.stringify(event)).then(
        () => {
          if (this.failures !== covered) return;
          clearInterval(this.resyncTimer);
          this.resyncTimer = undefined;
        },
        () => undefined, // still unreachable: the next tick tries again
      );
    }, RESYNC_RETRY_MS);
    this.resyncTimer.unref();
  }
}
