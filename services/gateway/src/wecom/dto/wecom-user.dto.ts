import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ERRCODE } from '../wecom-error';
import { WecomErrcodes } from '../wecom-request';
import { INT32_MAX, ORDER_MAX, USERID, WecomInt, WecomIntArray } from './wecom-fields';

export class WecomTextAttr {
  @ApiProperty() @IsString() @MaxLength(64) value!: string;
}

export class WecomWebAttr {
  @ApiProperty() @IsString() @MaxLength(1024) url!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) title?: string;
}

export class WecomExtAttrItem {
  @ApiProperty({ enum: [0, 1], description: '0 text, 1 web' })
  @WecomInt()
  @IsIn([0, 1])
  type!: number;

  @ApiProperty() @IsString() @Length(1, 32) name!: string;

  @ApiPropertyOptional({ type: WecomTextAttr })
  @IsOptional()
  @ValidateNested()
  @Type(() => WecomTextAttr)
  text?: WecomTextAttr;

  @ApiPropertyOptional({ type: WecomWebAttr })
  @IsOptional()
  @ValidateNested()
  @Type(() => WecomWebAttr)
  web?: WecomWebAttr;
}

export class WecomExtAttr {
  @ApiProperty({ type: [WecomExtAttrItem] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => WecomExtAttrItem)
  attrs!: WecomExtAttrItem[];
}

const USER_ERRCODES: WecomErrcodes = {
  userid: ERRCODE.INVALID_USERID,
  name: ERRCODE.INVALID_USER_NAME,
  mobile: ERRCODE.INVALID_MOBILE,
  email: ERRCODE.INVALID_EMAIL,
  department: ERRCODE.INVALID_DEPARTMENT_LIST,
  'department.arrayMaxSize': ERRCODE.TOO_MANY_DEPARTMENTS,
  main_department: ERRCODE.INVALID_DEPARTMENT_LIST,
  direct_leader: ERRCODE.INVALID_USERID,
};

/** Fields of user/create and user/update (WeCom's names; unknown fields are ignored). */
class WecomUserFields {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) alias?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) mobile?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) telephone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) position?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) address?: string;

  @ApiPropertyOptional({ description: '"1" male, "2" female (a number is accepted too)' })
  @IsOptional()
  @WecomInt()
  @IsIn([0, 1, 2])
  gender?: number;

  @ApiPropertyOptional({ type: [Number], description: 'Department ids, at most 100; the root when absent on create' })
  @IsOptional()
  @WecomIntArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Min(1, { each: true })
  @Max(INT32_MAX, { each: true })
  department?: number[];

  @ApiPropertyOptional({ type: [Number], description: 'Order in each department of `department`, larger first' })
  @IsOptional()
  @WecomIntArray()
  @ArrayMaxSize(100)
  @Min(0, { each: true })
  @Max(ORDER_MAX, { each: true })
  order?: number[];

  @ApiPropertyOptional({ type: [Number], description: '1 when head of the department at the same index' })
  @IsOptional()
  @WecomIntArray()
  @ArrayMaxSize(100)
  @IsIn([0, 1], { each: true })
  is_leader_in_dept?: number[];

  @ApiPropertyOptional({ type: [String], description: 'At most 5 userids' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @IsString({ each: true })
  direct_leader?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  main_department?: number;

  @ApiPropertyOptional({ enum: [0, 1], description: '1 enabled, 0 disabled' })
  @IsOptional()
  @WecomInt()
  @IsIn([0, 1])
  enable?: number;

  @ApiPropertyOptional({ type: WecomExtAttr })
  @IsOptional()
  @ValidateNested()
  @Type(() => WecomExtAttr)
  extattr?: WecomExtAttr;
}

export class WecomUserCreate extends WecomUserFields {
  static readonly errcodes = USER_ERRCODES;

  @ApiProperty({ description: '1-64 of [0-9A-Za-z_-@.], starting with a letter or digit; case-insensitive' })
  @IsString()
  @Matches(USERID)
  userid!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 64)
  name!: string;
}

export class WecomUserUpdate extends WecomUserFields {
  static readonly errcodes = USER_ERRCODES;

  @ApiProperty()
  @IsString()
  @Matches(USERID)
  userid!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  name?: string;
}

export class WecomUseridQuery {
  static readonly errcodes: WecomErrcodes = { userid: ERRCODE.INVALID_USERID };

  @ApiProperty()
  @IsString()
  @Matches(USERID)
  userid!: string;
}

export class WecomUserBatchDelete {
  static readonly errcodes: WecomErrcodes = {
    useridlist: ERRCODE.INVALID_USERID_LIST,
    'useridlist.arrayMinSize': ERRCODE.INVALID_USERID_LIST_LENGTH,
    'useridlist.arrayMaxSize': ERRCODE.INVALID_USERID_LIST_LENGTH,
  };

  @ApiProperty({ type: [String], description: '1-200 userids' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Matches(USERID, { each: true })
  useridlist!: string[];
}

export class WecomUserListQuery {
  static readonly errcodes: WecomErrcodes = { department_id: ERRCODE.INVALID_DEPARTMENT_ID };

  @ApiProperty()
  @WecomInt()
  @Min(1)
  @Max(INT32_MAX)
  department_id!: number;

  @ApiPropertyOptional({ enum: [0, 1], description: '1: the members of every sub-department too' })
  @IsOptional()
  @WecomInt()
  @IsIn([0, 1])
  fetch_child?: number;
}

export class WecomUserListIdBody {
  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ description: '1-10000; pages hold at most 1000' })
  @IsOptional()
  @WecomInt()
  @Min(1)
  @Max(10_000)
  limit?: number;
}
