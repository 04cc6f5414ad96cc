import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export class ConversationIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class ConversationMemberParam extends ConversationIdParam {
  @ApiProperty({ example: 'zhangsan' })
  @IsString()
  @Length(1, 64)
  userid!: string;
}

export class MessageSeqParam extends ConversationIdParam {
  @ApiProperty({ example: 42 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  seq!: number;
}

export class CreateConversationRequest {
  @ApiProperty({ enum: ['direct', 'group'] })
  @IsIn(['direct', 'group'])
  kind!: 'direct' | 'group';

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @Length(0, 64)
  name?: string;

  @ApiProperty({ type: [String], description: 'The other members (you are added); exactly one for direct' })
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  members!: string[];

  @ApiPropertyOptional({ description: 'Only the owner and group admins may post' })
  @IsOptional()
  @IsBoolean()
  adminOnly?: boolean;

  @ApiPropertyOptional({ enum: ['all', 'admins'] })
  @IsOptional()
  @IsIn(['all', 'admins'])
  whoMayAdd?: 'all' | 'admins';
}

export class UpdateConversationRequest {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) name?: string;
  @ApiPropertyOptional({ description: 'The group notice (公告)' }) @IsOptional() @IsString() @Length(0, 2000) notice?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() adminOnly?: boolean;
  @ApiPropertyOptional({ enum: ['all', 'admins'] }) @IsOptional() @IsIn(['all', 'admins']) whoMayAdd?: 'all' | 'admins';
}

export class MembersRequest {
  @ApiProperty({ type: [String] })
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(2_000)
  userids!: string[];
}

export class SetRoleRequest {
  @ApiProperty({ enum: ['admin', 'member'] })
  @IsIn(['admin', 'member'])
  role!: 'admin' | 'member';
}

export class MuteRequest {
  @ApiProperty({ description: 'Minutes; 0 unmutes', example: 60 })
  @IsInt()
  @Min(0)
  @Max(43_200)
  minutes!: number;
}

export class TransferOwnershipRequest {
  @ApiProperty() @IsString() @Length(1, 64) newOwner!: string;
}

export class PreferencesRequest {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() pinned?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() notificationsMuted?: boolean;
}

export class PageQuery {
  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_000)
  pageSize?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 256)
  pageToken?: string;
}

export class SendMessageRequest {
  @ApiProperty({ description: 'Client-chosen id; a repeat returns the original message', example: 'c-7f3a' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/)
  clientMsgId!: string;

  @ApiProperty({ enum: ['text', 'image', 'voice', 'video', 'file', 'location', 'link', 'schedule_card', 'todo_card', 'template_card'] })
  @IsString()
  type!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { text: 'hello', mentions: ['lisi'] } })
  @IsObject()
  content!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Burn after reading (direct conversations only): gone for the recipient once read' })
  @IsOptional()
  @IsBoolean()
  burnAfterReading?: boolean;
}

export class SyncQuery {
  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterSeq?: number;

  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class MarkReadRequest {
  @ApiProperty() @IsInt() @Min(0) seq!: number;
}

export class ReceiptQuery {
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_000)
  pageSize?: number;
}

export class SyncCursorDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() conversationId!: string;
  @ApiProperty() @IsInt() @Min(0) afterSeq!: number;
}

export class BatchSyncRequest {
  @ApiProperty({ type: [SyncCursorDto] })
  @Type(() => SyncCursorDto)
  @ValidateNested({ each: true })
  @ArrayMaxSize(10_000)
  cursors!: SyncCursorDto[];

  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  limitPerConversation?: number;
}
