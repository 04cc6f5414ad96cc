import { All, Controller, HttpCode, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { ERRCODE } from './wecom-error';

/** Registered after every /cgi-bin/ controller: an API Atrium does not serve still answers in WeCom's shape. */
@ApiExcludeController()
@Controller('cgi-bin')
export class WecomFallbackHttpController {
  @All('*path')
  @HttpCode(200)
  unsupported(@Req() req: Request): { errcode: number; errmsg: string } {
    return { errcode: ERRCODE.API_UNAUTHORIZED, errmsg: `api not supported by this server: ${req.method} ${req.path}` };
  }
}
