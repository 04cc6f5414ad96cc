import { Controller, Get, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { messagingV1 } from '@atrium/contracts';
import { AppMessagingService } from '../apps/app-messaging.service';
import { WecomAppchatCreate, WecomAppchatQuery, WecomAppchatSend, WecomAppchatUpdate } from './dto/wecom-message.dto';
import { WecomAccessGuard, WecomAppsOnly } from './wecom-access.guard';
import { WecomApp, WecomAppIdentity } from './wecom-app';
import { ERRCODE, WecomError } from './wecom-error';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { toAppContent, WECOM_CHAT_MSGTYPES } from './wecom-message-content';
import { WecomBody, WecomQuery } from './wecom-request';

const toChatInfo = (chat: messagingV1.AppChat) => ({
  chatid: chat.chatid,
  name: chat.name,
  owner: chat.owner,
  userlist: chat.userids,
  chat_type: 0,
});

/** WeCom-compatible group chats of an app (消息推送 › 应用发送消息到群聊会话): only the creating app reaches a chat. */
@ApiTags('wecom-compat')
@ApiQuery({ name: 'access_token', description: "An app's token" })
@ApiOkResponse({ description: 'Always HTTP 200 with {errcode, errmsg, ...}' })
@UseFilters(WecomExceptionFilter)
@UseGuards(WecomAccessGuard)
@WecomAppsOnly()
@Controller('cgi-bin/appchat')
export class WecomAppchatHttpController {
  constructor(private readonly apps: AppMessagingService) {}

  @Post('create')
  @HttpCode(200)
  @ApiBody({ type: WecomAppchatCreate })
  async create(@WecomApp() app: WecomAppIdentity, @WecomBody(WecomAppchatCreate) body: WecomAppchatCreate) {
    const input = { chatid: body.chatid ?? '', name: body.name ?? '', owner: body.owner ?? '', userids: body.userlist };
    const chat = await this.apps.createChat(app.caller, app.agentid, input);
    return { errcode: 0, errmsg: 'ok', chatid: chat.chatid };
  }

  @Post('update')
  @HttpCode(200)
  @ApiBody({ type: WecomAppchatUpdate })
  async update(@WecomApp() app: WecomAppIdentity, @WecomBody(WecomAppchatUpdate) body: WecomAppchatUpdate) {
    const changes = { name: body.name, owner: body.owner, addUserids: body.add_user_list ?? [], removeUserids: body.del_user_list ?? [] };
    await this.apps.updateChat(app.caller, app.agentid, body.chatid, changes);
    return { errcode: 0, errmsg: 'ok' };
  }

  @Get('get')
  @ApiQuery({ name: 'chatid' })
  async get(@WecomApp() app: WecomAppIdentity, @WecomQuery(WecomAppchatQuery) query: WecomAppchatQuery) {
    return { errcode: 0, errmsg: 'ok', chat_info: toChatInfo(await this.apps.getChat(app.caller, query.chatid)) };
  }

  @Post('send')
  @HttpCode(200)
  @ApiBody({ type: WecomAppchatSend })
  async send(@WecomApp() app: WecomAppIdentity, @WecomBody(WecomAppchatSend) body: WecomAppchatSend) {
    if (!WECOM_CHAT_MSGTYPES.includes(body.msgtype))
      throw new WecomError(ERRCODE.INVALID_MSGTYPE, `msgtype ${body.msgtype} cannot be sent to a chat`);
    await this.apps.sendToChat(app.caller, body.chatid, toAppContent(body.msgtype, body[body.msgtype]));
    return { errcode: 0, errmsg: 'ok' };
  }
}
