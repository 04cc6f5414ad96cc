import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { INT32_MAX } from '../../http/params';
import { BooleanQuery } from '../../http/query-transforms';

const ORDER_MAX = 4_294_967_295;
const MAX_LEADERS = 100;

export class CreateDepartmentRequest {
  @ApiPropertyOptional({ description: 'Wanted id (> 1); allocated when absent', example: 2 })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(INT32_MAX)
  id?: number;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  parentId!: number;

  @ApiProperty({ description: '1-64 characters, none of \\ : * ? " < > |; unique among siblings', example: 'R&D' })
  @IsString()
  @Length(1, 64)
  name!: string;

  @ApiPropertyOptional({ example: 'Research' })
  @IsOptional()
  @IsString()
  @Length(0, 64)
  nameEn?: string;

  @ApiPropertyOptional({ description: 'Siblings are listed by descending order; after the last sibling when absent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(ORDER_MAX)
  order?: number;

  @ApiPropertyOptional({ type: [String], description: 'Userids of the department heads' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LEADERS)
  @IsString({ each: true })
  leaders?: string[];
}

export class UpdateDepartmentRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 64)
  nameEn?: string;

  @ApiPropertyOptional({ description: 'Re-parents the department (a move into its own subtree is refused)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  parentId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(ORDER_MAX)
  order?: number;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the department heads' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LEADERS)
  @IsString({ each: true })
  leaders?: string[];
}

export class MoveDepartmentRequest {
  @ApiProperty({ description: 'The new parent' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  parentId!: number;

  @ApiPropertyOptional({ description: 'Place it right after this sibling; first among its siblings when 0 or absent', default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(INT32_MAX)
  afterId?: number;
}

export class ListDepartmentsQuery {
  @ApiPropertyOptional({ description: 'The department to start from; the root when absent' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  id?: number;

  @ApiPropertyOptional({ description: 'Only the department and its children, not the whole subtree', default: false })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean()
  directOnly?: boolean;
}

export class DepartmentResponse {
  @ApiProperty({ example: 2 }) id!: number;
  @ApiProperty({ example: 1, description: '0 for the root' }) parentId!: number;
  @ApiProperty() name!: string;
  @ApiProperty() nameEn!: string;
  @ApiProperty() order!: number;
  @ApiProperty({ type: [String] }) leaders!: string[];
  @ApiProperty({ type: [Number], description: 'Ids from the root down to this department' }) path!: number[];
}

export class DepartmentListResponse {
  @ApiProperty({ type: [DepartmentResponse], description: 'Parents before children, siblings by order; at most 30,000 (the corp limit)' })
  departments!: DepartmentResponse[];
}
