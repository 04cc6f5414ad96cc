import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { INT32_MAX } from '../../http/params';

export class VisibleRangeDto {
  @ApiPropertyOptional({ type: [String], description: 'Members (userids), at most 1000', example: ['zhangsan'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1_000)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  userids?: string[];

  @ApiPropertyOptional({ type: [Number], description: 'Departments with their subtrees, at most 100; 1 is the whole corp', example: [1] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(INT32_MAX, { each: true })
  departmentIds?: number[];

  @ApiPropertyOptional({ type: [Number], description: 'Tags, at most 100' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(INT32_MAX, { each: true })
  tagIds?: number[];
}

export class CreateAppRequest {
  @ApiProperty({ description: 'Display name of the self-built app', example: 'HR sync' })
  @IsString()
  @Length(1, 64)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  description?: string;

  @ApiPropertyOptional({
    type: VisibleRangeDto,
    description: 'Who the app may see and message (WeCom 可见范围); nobody when absent',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => VisibleRangeDto)
  visibleRange?: VisibleRangeDto;
}

export class UpdateAppRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  description?: string;

  @ApiPropertyOptional({ type: VisibleRangeDto, description: 'Replaces the whole visible range' })
  @IsOptional()
  @ValidateNested()
  @Type(() => VisibleRangeDto)
  visibleRange?: VisibleRangeDto;
}

export class VisibleRangeResponse {
  @ApiProperty({ type: [String] })
  userids!: string[];

  @ApiProperty({ type: [Number] })
  departmentIds!: number[];

  @ApiProperty({ type: [Number] })
  tagIds!: number[];
}

export class AppResponse {
  @ApiProperty({ example: 1000002, description: 'The app id of the WeCom-compatible API' })
  agentid!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: VisibleRangeResponse })
  visibleRange!: VisibleRangeResponse;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  secretRotatedAt!: string;
}

export class AppWithSecretResponse extends AppResponse {
  @ApiProperty({ description: 'The app secret (corpsecret of /cgi-bin/gettoken); shown only now' })
  secret!: string;
}

export class AppListResponse {
  @ApiProperty({ type: [AppResponse] })
  apps!: AppResponse[];
}

export class SyncSecretResponse {
  @ApiProperty({
    description:
      'The directory-sync secret (corpsecret of /cgi-bin/gettoken, directory writes); shown only now. The previous one stops working.',
  })
  secret!: string;
}
