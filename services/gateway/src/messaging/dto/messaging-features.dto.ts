import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { INT32_MAX } from '../../http/params';

export class ReportScreenshotRequest {
  @ApiProperty({ description: 'Client-chosen id; a repeat returns the original notice', example: 'shot-1' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/)
  clientMsgId!: string;
}

export class MessageRefDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() conversationId!: string;
  @ApiProperty({ example: 42 }) @IsInt() @Min(1) seq!: number;
}

export class ForwardMessagesRequest {
  @ApiProperty({ description: 'Client-chosen id (1-56); forwarded message n gets "<id>.<n>", a repeat returns them', example: 'fw-1' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,56}$/)
  clientMsgId!: string;

  @ApiProperty({ type: [MessageRefDto], description: '1-100 messages you can see' })
  @Type(() => MessageRefDto)
  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  messages!: MessageRefDto[];

  @ApiPropertyOptional({ enum: ['separate', 'merged'], default: 'separate', description: 'merged: one chat_record message' })
  @IsOptional()
  @IsIn(['separate', 'merged'])
  mode?: 'separate' | 'merged';
}

export class CreateDepartmentGroupRequest {
  @ApiProperty({ example: 2 }) @IsInt() @Min(1) @Max(INT32_MAX) departmentId!: number;

  @ApiPropertyOptional({ default: false, description: 'Also the members of every sub-department' })
  @IsOptional()
  @IsBoolean()
  subtree?: boolean;

  @ApiPropertyOptional({ maxLength: 64, description: "Default: the department's name" })
  @IsOptional()
  @IsString()
  @Length(0, 64)
  name?: string;
}
