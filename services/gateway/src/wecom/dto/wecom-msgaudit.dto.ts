import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ERRCODE } from '../wecom-error';
import { WecomErrcodes } from '../wecom-request';

export class MsgauditTokenQuery {
  static errcodes: WecomErrcodes = {
    'corpid.missing': ERRCODE.MISSING_CORPID,
    corpid: ERRCODE.INVALID_CORPID,
    'corpsecret.missing': ERRCODE.MISSING_SECRET,
    corpsecret: ERRCODE.INVALID_SECRET,
  };

  @ApiProperty({ description: "The corp's id or its code" })
  @IsString()
  @Length(1, 64)
  corpid!: string;

  @ApiProperty({ description: 'The archive pull secret (POST /api/v1/compliance/pull-secret)' })
  @IsString()
  @Length(1, 256)
  corpsecret!: string;
}

/** WeCom's GetChatData(seq, limit, proxy, passwd, timeout): the proxy fields are the SDK's own and ignored here. */
export class GetChatDataBody {
  @ApiProperty({ description: 'Records after this seq; 0 the first time, then the largest seq received' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  seq!: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
