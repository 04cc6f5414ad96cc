import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { INT32_MAX } from '../../http/params';

export class CreateTagRequest {
  @ApiProperty({ example: 'On call' })
  @IsString()
  @Length(1, 32)
  name!: string;

  @ApiPropertyOptional({ description: 'Wanted id; allocated when absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  id?: number;
}

export class SetTagTargetsRequest {
  @ApiProperty({ type: [String], description: 'At most 1,000' })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  userids!: string[];

  @ApiProperty({ type: [Number], description: 'At most 100' })
  @IsArray()
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(INT32_MAX, { each: true })
  departmentIds!: number[];
}

export class TagResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String] }) userids!: string[];
  @ApiProperty({ type: [Number] }) departmentIds!: number[];
}

export class TagListResponse {
  @ApiProperty({ type: [TagResponse] }) tags!: TagResponse[];
}
