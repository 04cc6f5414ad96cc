import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AccessTokenClaims } from '../auth/access-tokens';
import { Caller } from '../auth/caller.decorator';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ErrorResponse } from '../http/error.response';
import { MediaIdParam, MediaResponse, UploadMediaForm, UploadMediaQuery } from './dto/media.dto';
import { sendMedia } from './media-download';
import { toMediaResponse } from './media.mapper';
import { MediaService } from './media.service';

const identity = (c: AccessTokenClaims) => ({ corpId: c.corpId, userId: c.userId, roles: c.roles });

@AuthenticatedApi('media', { notFound: 'No such media, or not yours to read (the same answer either way)' })
@Controller('api/v1/media')
export class MediaHttpController {
  constructor(private readonly media: MediaService) {}

  /**
   * Streams the file into storage. Image, voice and video are checked by their bytes (a renamed
   * program is refused); the corp's size limit for the type and its blocked file extensions apply.
   */
  @Post()
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadMediaForm })
  @ApiCreatedResponse({ type: MediaResponse })
  @ApiResponse({ status: 413, type: ErrorResponse, description: "PAYLOAD_TOO_LARGE: over the corp's limit for this type" })
  async upload(@Caller() caller: AccessTokenClaims, @Query() q: UploadMediaQuery, @Req() req: Request): Promise<MediaResponse> {
    return toMediaResponse(await this.media.upload(identity(caller), q.type, req));
  }

  /** The bytes, for the uploader and for members of a conversation where a message shows them. */
  @Get(':mediaId')
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes; ETag is the SHA-256, files come as attachments', schema: { type: 'string', format: 'binary' } })
  async download(@Caller() caller: AccessTokenClaims, @Param() { mediaId }: MediaIdParam, @Req() req: Request, @Res() res: Response) {
    const { media, object } = await this.media.open(identity(caller), mediaId);
    await sendMedia(req, res, media, object);
  }
}
