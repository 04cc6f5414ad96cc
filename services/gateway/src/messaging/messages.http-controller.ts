import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import {
  BatchSyncRequest,
  ConversationIdParam,
  MarkReadRequest,
  MessageSeqParam,
  ReceiptQuery,
  SendMessageRequest,
  SyncQuery,
} from './dto/conversation.dto';
import { toMessageResponse } from './messaging.mapper';

@AuthenticatedApi('messaging')
@Controller('api/v1')
export class MessagesHttpController {
  constructor(private readonly clients: ServiceClients) {}

  /**
   * Idempotent by clientMsgId: a retry after a timeout returns the original message (201 either
   * way); another message under a used clientMsgId is 409 CONFLICT (`CLIENT_MSG_ID_REUSED`).
   */
  @Post('conversations/:id/messages')
  async send(@Param() { id }: ConversationIdParam, @Body() b: SendMessageRequest) {
    const request = {
      conversationId: id,
      clientMsgId: b.clientMsgId,
      type: b.type,
      contentJson: JSON.stringify(b.content),
      burnAfterReading: b.burnAfterReading,
    };
    const { message, created } = await this.clients.messaging.call('SendMessage', (m, md) => m.sendMessage(request, md));
    return { message: toMessageResponse(message), created };
  }

  /** What follows `afterSeq`, in order, no gaps. */
  @Get('conversations/:id/messages')
  async sync(@Param() { id }: ConversationIdParam, @Query() q: SyncQuery) {
    const page = await this.clients.messaging.call('SyncMessages', (m, md) =>
      m.syncMessages({ conversationId: id, afterSeq: q.afterSeq ?? 0, limit: q.limit ?? 100 }, md),
    );
    return { messages: page.messages.map(toMessageResponse), hasMore: page.hasMore, lastSeq: page.lastSeq };
  }

  @Post('conversations/:id/messages/:seq/recall')
  @HttpCode(200)
  async recall(@Param() { id, seq }: MessageSeqParam) {
    const { message } = await this.clients.messaging.call('RecallMessage', (m, md) => m.recallMessage({ conversationId: id, seq }, md));
    return { message: toMessageResponse(message) };
  }

  @Get('conversations/:id/messages/:seq/receipt')
  receipt(@Param() { id, seq }: MessageSeqParam, @Query() q: ReceiptQuery) {
    return this.clients.messaging.call('GetReadReceipt', (m, md) =>
      m.getReadReceipt({ conversationId: id, seq, pageSize: q.pageSize ?? 100 }, md),
    );
  }

  @Post('conversations/:id/read')
  @HttpCode(200)
  read(@Param() { id }: ConversationIdParam, @Body() b: MarkReadRequest) {
    return this.clients.messaging.call('MarkRead', (m, md) => m.markRead({ conversationId: id, seq: b.seq }, md));
  }

  /** One round trip after a reconnect: every conversation, from the client's cursors. */
  @Post('sync')
  @HttpCode(200)
  async batchSync(@Body() b: BatchSyncRequest) {
    const result = await this.clients.messaging.call('BatchSync', (m, md) =>
      m.batchSync({ cursors: b.cursors, limitPerConversation: b.limitPerConversation ?? 50 }, md),
    );
    return { conversations: result.conversations.map((c) => ({ ...c, messages: c.messages.map(toMessageResponse) })) };
  }
}
