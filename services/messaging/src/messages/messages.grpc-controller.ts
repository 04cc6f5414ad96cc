import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { DomainError, currentCaller, verifySignedIdentity } from '@atrium/platform';
import { MESSAGING_CONFIG, MessagingConfig } from '../config';
import { toConversationMessage } from '../conversations/conversation.mapper';
import { toWire } from './message-snapshot';
import { MessagesService } from './messages.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class MessagesGrpcController {
  constructor(
    private readonly messages: MessagesService,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
  ) {}

  @GrpcMethod(SERVICE, 'SendMessage')
  async sendMessage(r: messagingV1.SendMessageRequest): Promise<messagingV1.SendMessageResponse> {
    const { message, created } = await this.messages.send(currentCaller(), r);
    return { message: toWire(message), created };
  }

  @GrpcMethod(SERVICE, 'SendMessages')
  async sendMessages(r: messagingV1.SendMessagesRequest): Promise<messagingV1.SendMessagesResponse> {
    const settled = await Promise.allSettled(
      r.sends.map(async (s) => {
        const sender = verifySignedIdentity(s.identity, s.identitySig, this.config.ATRIUM_IDENTITY_KEY);
        return this.messages.send(sender, s.send ?? { conversationId: '', clientMsgId: '', type: '', contentJson: '' });
      }),
    );
    return {
      results: settled.map((result) => {
        if (result.status === 'fulfilled')
          return { message: toWire(result.value.message), created: result.value.created, errorCode: '', errorMessage: '' };
        // Refusals are answered per send; anything else fails the call, as it would fail a single send.
        if (!(result.reason instanceof DomainError)) throw result.reason;
        return { created: false, errorCode: result.reason.code, errorMessage: result.reason.message };
      }),
    };
  }

  @GrpcMethod(SERVICE, 'RecallMessage')
  async recallMessage(r: messagingV1.RecallMessageRequest): Promise<messagingV1.RecallMessageResponse> {
    return { message: toWire(await this.messages.recall(currentCaller(), r.conversationId, r.seq)) };
  }

  @GrpcMethod(SERVICE, 'SyncMessages')
  async syncMessages(r: messagingV1.SyncMessagesRequest): Promise<messagingV1.SyncMessagesResponse> {
    const page = await this.messages.sync(currentCaller(), r.conversationId, r.afterSeq, r.limit);
    return { messages: page.messages.map(toWire), hasMore: page.hasMore, lastSeq: page.lastSeq };
  }

  @GrpcMethod(SERVICE, 'BatchSync')
  async batchSync(r: messagingV1.BatchSyncRequest): Promise<messagingV1.BatchSyncResponse> {
    const result = await this.messages.batchSync(currentCaller(), r.cursors, r.limitPerConversation);
    return {
      conversations: result.map((c) => ({
        conversation: toConversationMessage(c.conversation),
        messages: c.messages.map(toWire),
        hasMore: c.hasMore,
      })),
    };
  }

  @GrpcMethod(SERVICE, 'MarkRead')
  async markRead(r: messagingV1.MarkReadRequest): Promise<messagingV1.MarkReadResponse> {
    return { readSeq: await this.messages.markRead(currentCaller(), r.conversationId, r.seq) };
  }

  @GrpcMethod(SERVICE, 'GetReadReceipt')
  async getReadReceipt(r: messagingV1.GetReadReceiptRequest): Promise<messagingV1.GetReadReceiptResponse> {
    return this.messages.receipt(currentCaller(), r.conversationId, r.seq, r.pageSize);
  }
}
