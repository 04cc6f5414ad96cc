import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ERRCODE } from '../wecom-error';
import { WecomErrcodes } from '../wecom-request';

export class WecomGetTokenQuery {
  static readonly errcodes: WecomErrcodes = {
    'corpid.missing': ERRCODE.MISSING_CORPID,
    corpid: ERRCODE.INVALID_CORPID,
    'corpsecret.missing': ERRCODE.MISSING_SECRET,
    corpsecret: ERRCODE.INVALID_SECRET,
  };

  @ApiProperty({ description: "The corp's id (the directory's UUID) or its code" })
  @IsString()
  @Length(1, 64)
  corpid!: string;

  @ApiProperty({ description: 'The directory-sync secret or an app secret' })
  @IsString()
  @Length(1, 256)
  corpsecret!: string;
}
