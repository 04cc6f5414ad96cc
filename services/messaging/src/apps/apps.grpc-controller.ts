import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toWire } from '../messages/message-snapshot';
import { AppChat, AppChatsService } from './app-chats.service';
import { AppMessagesService } from './app-messages.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

const toChatMessage = (c: AppChat): messagingV1.AppChat => ({
  chatid: c.chatid,
  conversationId: c.conversationId,
  name: c.name,
  owner: c.owner,
  userids: c.userids,
});

/** What apps do in messaging (their identity is the caller's, checked by the services). */
@Controller()
export class AppsGrpcController {
  constructor(
    private readonly messages: AppMessagesService,
    private readonly chats: AppChatsService,
  ) {}

  @GrpcMethod(SERVICE, 'SendAppMessage')
  sendAppMessage(r: messagingV1.SendAppMessageRequest): Promise<messagingV1.SendAppMessageResponse> {
    return this.messages.send(currentCaller(), r);
  }

  @GrpcMethod(SERVICE, 'RecallAppMessage')
  async recallAppMessage(r: messagingV1.RecallAppMessageRequest): Promise<messagingV1.RecallAppMessageResponse> {
    return { recalledCount: await this.messages.recall(currentCaller(), r.msgid) };
  }

  @GrpcMethod(SERVICE, 'CreateAppChat')
  async createAppChat(r: messagingV1.CreateAppChatRequest): Promise<messagingV1.CreateAppChatResponse> {
    return { chat: toChatMessage(await this.chats.create(currentCaller(), r)) };
  }

  @GrpcMethod(SERVICE, 'UpdateAppChat')
  async updateAppChat(r: messagingV1.UpdateAppChatRequest): Promise<messagingV1.UpdateAppChatResponse> {
    const patch = { name: r.name, owner: r.owner, addUserids: r.addUserids, removeUserids: r.removeUserids };
    return { chat: toChatMessage(await this.chats.update(currentCaller(), r.chatid, patch)) };
  }

  @GrpcMethod(SERVICE, 'GetAppChat')
  async getAppChat(r: messagingV1.GetAppChatRequest): Promise<messagingV1.GetAppChatResponse> {
    return { chat: toChatMessage(await this.chats.get(currentCaller(), r.chatid)) };
  }

  @GrpcMethod(SERVICE, 'SendAppChatMessage')
  async sendAppChatMessage(r: messagingV1.SendAppChatMessageRequest): Promise<messagingV1.SendAppChatMessageResponse> {
    return { message: toWire(await this.chats.send(currentCaller(), r.chatid, r.type, r.contentJson)) };
  }
}
