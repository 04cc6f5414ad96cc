import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppCredentialsService } from '../apps/app-credentials.service';
import { WecomGetTokenQuery } from './dto/wecom-token.dto';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { WecomQuery } from './wecom-request';
import { WecomTokens } from './wecom-tokens';

/** WeCom-compatible `gettoken` (corpid: the corp's id or its code). */
@ApiTags('wecom-compat')
@UseFilters(WecomExceptionFilter)
@Controller('cgi-bin')
export class WecomTokenHttpController {
  constructor(
    private readonly credentials: AppCredentialsService,
    private readonly tokens: WecomTokens,
  ) {}

  @Get('gettoken')
  @ApiQuery({ name: 'corpid', description: "The corp's id or its code" })
  @ApiQuery({ name: 'corpsecret', description: 'The directory-sync secret or an app secret' })
  @ApiOkResponse({ description: '{errcode, errmsg, access_token, expires_in}; the same token until it expires' })
  async getToken(@WecomQuery(WecomGetTokenQuery) query: WecomGetTokenQuery) {
    const { accessToken, expiresIn } = await this.tokens.issue(await this.credentials.authenticate(query.corpid, query.corpsecret));
    return { errcode: 0, errmsg: 'ok', access_token: accessToken, expires_in: expiresIn };
  }
}
