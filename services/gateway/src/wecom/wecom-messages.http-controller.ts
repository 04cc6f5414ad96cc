import { Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppMessagingService } from '../apps/app-messaging.service';
import { WecomMessageRecall, WecomMessageSend } from './dto/wecom-message.dto';
import { WecomAccessGuard, WecomAppsOnly } from './wecom-access.guard';
import { invalidParts, parseAddressing } from './wecom-addressing';
import { requireOwnAgentid, WecomApp, WecomAppIdentity } from './wecom-app';
import { ERRCODE } from './wecom-error';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { toAppContent } from './wecom-message-content';
import { WecomBody } from './wecom-request';

/** WeCom-compatible app messages (消息推送 › 发送应用消息, 撤回应用消息): an app's token only. */
@ApiTags('wecom-compat')
@ApiQuery({ name: 'access_token', description: "An app's token (the directory-sync token is refused: 48002)" })
@ApiOkResponse({ description: 'Always HTTP 200 with {errcode, errmsg, ...}' })
@UseFilters(WecomExceptionFilter)
@UseGuards(WecomAccessGuard)
@WecomAppsOnly()
@Controller('cgi-bin/message')
export class WecomMessagesHttpController {
  constructor(private readonly apps: AppMessagingService) {}

  /**
   * One message to members, departments and tags in the app's visible range. Recipients outside
   * it or unknown come back in invaliduser / invalidparty / invalidtag; if nobody is left, 81013.
   */
  @Post('send')
  @HttpCode(200)
  @ApiBody({ type: WecomMessageSend })
  async send(@WecomApp() app: WecomAppIdentity, @WecomBody(WecomMessageSend) body: WecomMessageSend) {
    requireOwnAgentid(app, body.agentid);
    const parsed = parseAddressing(body);
    const message = toAppContent(body.msgtype, body[body.msgtype]);
    const duplicateCheck = { enabled: body.enable_duplicate_check === 1, interval: body.duplicate_check_interval ?? 0 };
    const { audience, sent } = await this.apps.send(app.caller, app.agentid, parsed.addressing, message, duplicateCheck);
    const invalid = invalidParts(parsed, audience);
    if (!sent) return { errcode: ERRCODE.ALL_RECIPIENTS_INVALID, errmsg: 'user & party & tag all invalid', ...invalid };
    return { errcode: 0, errmsg: 'ok', ...invalid, msgid: sent.msgid, ...(sent.responseCode ? { response_code: sent.responseCode } : {}) };
  }

  /** Every message of a msgid this app sent, within 24 hours. */
  @Post('recall')
  @HttpCode(200)
  @ApiBody({ type: WecomMessageRecall })
  async recall(@WecomApp() app: WecomAppIdentity, @WecomBody(WecomMessageRecall) body: WecomMessageRecall) {
    await this.apps.recall(app.caller, body.msgid);
    return { errcode: 0, errmsg: 'ok' };
  }
}
