import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';
import { Errcode, ERRCODE } from '../wecom-error';
import { WecomErrcodes } from '../wecom-request';
import { WecomInt, WecomIntArray } from './wecom-fields';

/** WeCom 全局错误码 40056: 不合法的agentid. */
export const INVALID_AGENTID = 40056 as Errcode;
/** WeCom 全局错误码 81013: UserID、部门ID、标签ID全部非法或无权限. */
export const ALL_RECIPIENTS_INVALID = 81013 as Errcode;

export class WecomTemplateCardButtonUpdate {
  @ApiProperty({ description: 'The disabled label that replaces the buttons', example: '已同意' })
  @IsString()
  @Length(1, 64)
  replace_name!: string;
}

/** message/update_template_card (更新模版卡片消息): the button-replace form or the full card-replace form. */
export class WecomUpdateTemplateCard {
  static readonly errcodes: WecomErrcodes = {
    agentid: INVALID_AGENTID,
    userids: ERRCODE.INVALID_USERID_LIST_LENGTH,
    partyids: ERRCODE.INVALID_DEPARTMENT_LIST,
    tagids: ERRCODE.INVALID_TAG_ID,
  };

  @ApiPropertyOptional({ type: [String], description: 'At most 1,000' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1_000)
  @IsString({ each: true })
  userids?: string[];

  @ApiPropertyOptional({ type: [Number], description: 'At most 100 departments (with their subtrees)' })
  @IsOptional()
  @WecomIntArray()
  @ArrayMaxSize(100)
  partyids?: number[];

  @ApiPropertyOptional({ type: [Number], description: 'At most 100 tags' })
  @IsOptional()
  @WecomIntArray()
  @ArrayMaxSize(100)
  tagids?: number[];

  @ApiPropertyOptional({ enum: [0, 1], description: '1: every member who sees the card' })
  @IsOptional()
  @WecomInt()
  @IsIn([0, 1])
  atall?: number;

  @ApiProperty({ example: 1000002 })
  @WecomInt()
  @Min(1)
  agentid!: number;

  @ApiProperty({ description: 'From message/send or from a template_card_event; spent by this call, valid 72 h' })
  @IsString()
  @Length(1, 128)
  response_code!: string;

  @ApiPropertyOptional({ type: WecomTemplateCardButtonUpdate })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WecomTemplateCardButtonUpdate)
  button?: WecomTemplateCardButtonUpdate;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'A whole new card: main_title {title, desc}, sub_title_text, button_list [{text, key}], task_id',
  })
  @IsOptional()
  @IsObject()
  template_card?: Record<string, unknown>;
}
