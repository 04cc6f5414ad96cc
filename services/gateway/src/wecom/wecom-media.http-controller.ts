import { Controller, Get, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { CallerIdentity } from '@atrium/platform';
import { WecomAccessGuard } from './wecom-access.guard';
import { ERRCODE } from './wecom-error';
import { WecomExceptionFilter } from './wecom-exception.filter';
import { WecomCaller, WecomErrcodes, WecomQuery } from './wecom-request';
import { UploadMediaForm } from '../media/dto/media.dto';
import { sendMedia } from '../media/media-download';
import { UPLOAD_TYPES, UploadType } from '../media/media-rules';
import { MediaService } from '../media/media.service';

class WecomMediaUploadQuery {
  static errcodes: WecomErrcodes = { type: ERRCODE.INVALID_MEDIA_TYPE };

  @IsIn(UPLOAD_TYPES)
  type!: UploadType;
}

class WecomMediaGetQuery {
  static errcodes: WecomErrcodes = { 'media_id.missing': ERRCODE.MISSING_MEDIA_ID, media_id: ERRCODE.INVALID_MEDIA_ID };

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  media_id!: string;
}

/** WeCom-compatible temporary media (素材管理 › 上传临时素材 / 获取临时素材). */
@ApiTags('wecom-compat')
@ApiQuery({ name: 'access_token' })
@UseFilters(WecomExceptionFilter)
@UseGuards(WecomAccessGuard)
@Controller('cgi-bin/media')
export class WecomMediaHttpController {
  constructor(private readonly media: MediaService) {}

  @Post('upload')
  @HttpCode(200)
  @ApiQuery({ name: 'type', enum: UPLOAD_TYPES })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadMediaForm })
  @ApiOkResponse({ description: '{errcode, errmsg, type, media_id, created_at}' })
  async upload(@WecomCaller() caller: CallerIdentity, @WecomQuery(WecomMediaUploadQuery) q: WecomMediaUploadQuery, @Req() req: Request) {
    const media = await this.media.upload(caller, q.type, req);
    const createdAt = Math.floor(Date.parse(media.createdAt) / 1000);
    return { errcode: 0, errmsg: 'ok', type: media.type, media_id: media.mediaId, created_at: String(createdAt) };
  }

  /** The bytes with HTTP 200, or `{errcode, errmsg}` (40007 for a media_id this app may not read). */
  @Get('get')
  @ApiQuery({ name: 'media_id' })
  @ApiOkResponse({ description: 'The bytes, or {errcode, errmsg}' })
  async get(
    @WecomCaller() caller: CallerIdentity,
    @WecomQuery(WecomMediaGetQuery) q: WecomMediaGetQuery,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { media, object } = await this.media.open(caller, q.media_id);
    await sendMedia(req, res, media, object);
  }
}
