import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ERRCODE } from '../wecom-error';
import { WecomErrcodes } from '../wecom-request';
import { DEPARTMENT_NAME, INT32_MAX, ORDER_MAX, WecomInt } from './wecom-fields';

const NAME_ERRCODES: WecomErrcodes = {
  name: ERRCODE.DEPARTMENT_NAME_LENGTH,
  'name.matches': ERRCODE.DEPARTMENT_NAME_CHARACTERS,
  name_en: ERRCODE.DEPARTMENT_NAME_LENGTH,
  'name_en.matches': ERRCODE.DEPARTMENT_NAME_CHARACTERS,
};

export class WecomDepartmentCreate {
  static readonly errcodes: WecomErrcodes = {
    ...NAME_ERRCODES,
    parentid: ERRCODE.INVALID_PARENT_DEPARTMENT_ID,
    id: ERRCODE.INVALID_DEPARTMENT_ID,
  };

  @ApiProperty({ description: '1-64 characters, none of \\ : * ? " < > |; unique among siblings' })
  @IsString()
  @Length(1, 64)
  @Matches(DEPARTMENT_NAME)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 64)
  @Matches(DEPARTMENT_NAME)
  name_en?: string;

  @ApiProperty({ example: 1 })
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  parentid!: number;

  @ApiPropertyOptional({ description: 'Larger first among siblings; [0, 2^32)' })
  @IsOptional()
  @WecomInt()
  @Min(0)
  @Max(ORDER_MAX)
  order?: number;

  @ApiPropertyOptional({ description: 'Wanted id (> 1); allocated when absent' })
  @IsOptional()
  @WecomInt()
  @Min(2)
  @Max(INT32_MAX)
  id?: number;

  @ApiPropertyOptional({ type: [String], description: 'Userids of the department heads' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  department_leader?: string[];
}

export class WecomDepartmentUpdate {
  static readonly errcodes: WecomErrcodes = {
    ...NAME_ERRCODES,
    parentid: ERRCODE.INVALID_PARENT_DEPARTMENT_ID,
    id: ERRCODE.INVALID_DEPARTMENT_ID,
  };

  @ApiProperty()
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  id!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(DEPARTMENT_NAME)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 64)
  @Matches(DEPARTMENT_NAME)
  name_en?: string;

  @ApiPropertyOptional({ description: 'Moves the department (not into its own subtree: 60010)' })
  @IsOptional()
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  parentid?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @WecomInt()
  @Min(0)
  @Max(ORDER_MAX)
  order?: number;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  department_leader?: string[];
}

export class WecomDepartmentIdQuery {
  static readonly errcodes: WecomErrcodes = { id: ERRCODE.INVALID_DEPARTMENT_ID };

  @ApiProperty()
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  id!: number;
}

export class WecomDepartmentListQuery {
  static readonly errcodes: WecomErrcodes = { id: ERRCODE.INVALID_DEPARTMENT_ID };

  @ApiPropertyOptional({ description: 'The department whose subtree to list; the whole corp when absent' })
  @IsOptional()
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  id?: number;
}
