import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';

export const INT32_MAX = 2_147_483_647;

/** `:id` of a department: a positive 32-bit integer (what the directory's contract carries). */
export class DepartmentIdParam {
  @ApiProperty({ example: 2 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  id!: number;
}

export class TagIdParam extends DepartmentIdParam {}

export class AgentidParam {
  @ApiProperty({ example: 1000002 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  agentid!: number;
}

export class UseridParam {
  @ApiProperty({ example: 'zhangsan' })
  @IsString()
  @Length(1, 64)
  userid!: string;
}
