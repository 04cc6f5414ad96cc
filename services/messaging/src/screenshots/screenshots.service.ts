import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DomainError, EVENT_BUS, EventBus, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { BurnService } from '../burn/burn.service';
import { ConversationsService } from '../conversations/conversations.service';
import { Message } from '../messages/message';
import { MessageAppender } from '../messages/message-appender';
import { MessagesRepository } from '../messages/messages.repository';
import { toWire } from '../messages/message-snapshot';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { ScreenshotNoticesRepository } from './screenshot-notices.repository';

const CLIENT_MSG_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const SCREENSHOT_INTERVAL_MS = 10_000;

/**
 * A member's client reports a screenshot; everyone in the conversation sees a system message in
 * its place in the sequence (it syncs like any message). A repeat of the client id returns the
 * original; otherwise one notice per member and conversation per 10 seconds, checked under the
 * conversation's row lock so two devices cannot both slip through.
 */
@Injectable()
export class ScreenshotsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesRepository,
    private readonly notices: ScreenshotNoticesRepository,
    private readonly appender: MessageAppender,
    private readonly realtime: RealtimePublisher,
    private readonly burn: BurnService,
  ) {}

  async report(caller: CallerIdentity, conversationId: string, clientMsgId: string): Promise<{ message: Message; created: boolean }> {
    if (!CLIENT_MSG_ID.test(clientMsgId))
      throw new ValidationError('client_msg_id must be 1-64 characters of letters, digits and _.:-', { field: 'client_msg_id' });
    let readBefore = 0;
    const result = await this.transactions.run(async (tx) => {
      const { conversation, me } = await this.conversations.lockAsMember(tx, caller, conversationId);
      readBefore = me.readSeq;
      const original = await this.messages.findByClientId(tx, caller.corpId, conversation.id, me.userid, clientMsgId);
      if (original) return { message: original, created: false };
      const now = new Date();
      const last = await this.notices.last(tx, caller.corpId, conversation.id, me.userid);
      if (last && now.getTime() - last.getTime() < SCREENSHOT_INTERVAL_MS) {
        const retryAfterSeconds = Math.ceil((SCREENSHOT_INTERVAL_MS - (now.getTime() - last.getTime())) / 1000);
        throw new DomainError('RATE_LIMITED', `one screenshot notice per ${SCREENSHOT_INTERVAL_MS / 1000} seconds in a conversation`, {
          retryAfterSeconds,
        });
      }
      await this.notices.record(tx, caller.corpId, conversation.id, me.userid, now);
      const append = this.appender.begin([{ corpId: caller.corpId, conversationId: conversation.id, lastSeq: conversation.lastSeq }]);
      const message = await this.appender.compose(tx, append, caller.corpId, conversation.id, {
        sender: me.userid,
        clientMsgId,
        type: 'system',
        content: { event: 'screenshot', userid: me.userid },
      });
      await this.appender.write(tx, append);
      return { message, created: true };
    });
    if (result.created) {
      await this.burn.announceRead(caller.corpId, conversationId, result.message.sender, readBefore, result.message.seq);
      this.bus.relay.nudge();
      await this.realtime.toConversation(caller.corpId, { kind: 'message', conversationId, message: toWire(result.message) });
    }
    return result;
  }
}
