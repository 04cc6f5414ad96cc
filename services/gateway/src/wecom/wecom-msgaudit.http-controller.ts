import { Controller, Get, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ERRCODE, WecomError } from './wecom-error';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { WecomBody, WecomQuery, WecomRequest } from './wecom-request';
import { GetChatDataBody, MsgauditTokenQuery } from './dto/wecom-msgaudit.dto';
import { WecomMsgauditService } from './wecom-msgaudit.service';

/**
 * WeCom-style 会话内容存档 for third-party archive tools: a token for the archive's own secret, then
 * GetChatData — records after `seq`, at most 1000 per call, each `{seq, msgid, publickey_ver,
 * encrypt_random_key, encrypt_chat_msg}`. Always HTTP 200 with errcode.
 */
@ApiTags('wecom-compat')
@ApiOkResponse({ description: 'Always HTTP 200 with {errcode, errmsg, ...}' })
@UseFilters(WecomExceptionFilter)
@Controller('cgi-bin/msgaudit')
export class WecomMsgauditHttpController {
  constructor(private readonly msgaudit: WecomMsgauditService) {}

  /** Like /cgi-bin/gettoken, for the pull secret (which the archive holds, not the gateway's app credentials). */
  @Get('gettoken')
  @ApiQuery({ name: 'corpid', description: "The corp's id or its code" })
  @ApiQuery({ name: 'corpsecret', description: 'The archive pull secret' })
  async getToken(@WecomQuery(MsgauditTokenQuery) query: MsgauditTokenQuery) {
    const { accessToken, expiresIn } = await this.msgaudit.issueToken(query.corpid, query.corpsecret);
    return { errcode: 0, errmsg: 'ok', access_token: accessToken, expires_in: expiresIn };
  }

  @Post('get_chat_data')
  @HttpCode(200)
  @ApiQuery({ name: 'access_token', description: 'From /cgi-bin/msgaudit/gettoken' })
  @ApiBody({ type: GetChatDataBody })
  async getChatData(@Req() req: WecomRequest, @WecomBody(GetChatDataBody) body: GetChatDataBody) {
    const token = req.query.access_token;
    if (typeof token !== 'string' || token === '') throw new WecomError(ERRCODE.MISSING_ACCESS_TOKEN, 'access_token missing');
    const chatdata = await this.msgaudit.chatData(token, body.seq, body.limit ?? 1000);
    return { errcode: 0, errmsg: 'ok', chatdata };
  }
}
