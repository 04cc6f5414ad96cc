import { Controller } from '@nestjs/common';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toConversationMessage } from '../conversations/conversation.mapper';
import { toWire } from './message-snapshot';
import { MessagesService } from './messages.service';
import { OnBehalfSends, SendStreams } from './send-streams';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class MessagesGrpcController {
  constructor(
    private readonly messages: MessagesService,
    private readonly onBehalf: OnBehalfSends,
    private readonly streams: SendStreams,
  ) {}

  @GrpcMethod(SERVICE, 'SendMessage')
  async sendMessage(r: messagingV1.SendMessageRequest): Promise<messagingV1.SendMessageResponse> {
    const { message, created } = await this.messages.send(currentCaller(), r);
    return { message: toWire(message), created };
  }

  @GrpcMethod(SERVICE, 'SendMessages')
  async sendMessages(r: messagingV1.SendMessagesRequest): Promise<messagingV1.SendMessagesResponse> {
    return { results: await this.onBehalf.settle(r.sends) };
  }

  @GrpcStreamCall(SERVICE, 'SendStream')
  sendStream(call: ServerDuplexStream<messagingV1.SendStreamRequest, messagingV1.SendStreamResponse>): Promise<void> {
    return this.streams.serve(call);
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
