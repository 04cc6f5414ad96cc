import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { INT32_MAX } from '../../http/params';
import { BooleanQuery } from '../../http/query-transforms';

const ORDER_MAX = 4_294_967_295;

/** A value of one of the corp's custom attributes (GET /api/v1/directory/attributes lists them). */
export class ExtAttrDto {
  @ApiProperty({ example: 'Badge', description: 'A defined attribute (case-insensitive); an unknown one is refused' })
  @IsString()
  @Length(1, 32)
  name!: string;

  @ApiPropertyOptional({ enum: ['text', 'url'], description: "The attribute's type; taken from its definition when absent" })
  @IsOptional()
  @IsIn(['text', 'url'])
  type?: 'text' | 'url';

  @ApiProperty({ description: 'Text (≤ 64) or an http(s) URL (≤ 1024); empty clears the value' })
  @IsString()
  @Length(0, 1024)
  value!: string;

  @ApiPropertyOptional({ description: 'url attributes: the link title (≤ 32)' })
  @IsOptional()
  @IsString()
  @Length(0, 32)
  title?: string;
}

export class MemberDepartmentDto {
  @ApiProperty({ example: 2 })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  departmentId!: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  isLeader?: boolean;

  @ApiPropertyOptional({ description: 'Order among the department members (descending)', default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(ORDER_MAX)
  order?: number;
}

/** Fields a member has on creation and update alike. */
class MemberFields {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 64) alias?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 64) nameEn?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 128) position?: string;
  @ApiPropertyOptional({ description: 'A mobile or an email is required' }) @IsOptional() @IsString() @Length(0, 32) mobile?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 64) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 32) telephone?: string;
  @ApiPropertyOptional({ enum: [0, 1, 2], description: '0 unset, 1 male, 2 female' }) @IsOptional() @IsIn([0, 1, 2]) gender?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 1024) avatar?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 64) employeeNo?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 128) address?: string;

  @ApiPropertyOptional({ type: [ExtAttrDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ExtAttrDto)
  extattrs?: ExtAttrDto[];

  @ApiPropertyOptional({ description: 'One of the departments; the first when absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  mainDepartment?: number;

  @ApiPropertyOptional({ type: [String], description: 'At most 5' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @IsString({ each: true })
  directLeaders?: string[];

  @ApiPropertyOptional({ format: 'password', description: '8-128 characters; a member without one cannot sign in' })
  @IsOptional()
  @IsString()
  @Length(8, 128)
  password?: string;
}

export class CreateMemberRequest extends MemberFields {
  @ApiProperty({ description: '1-64 of [0-9A-Za-z_-@.], starting with a letter or digit; stored lower-case', example: 'zhangsan' })
  @IsString()
  @Length(1, 64)
  userid!: string;

  @ApiProperty({ example: '张三' })
  @IsString()
  @Length(1, 64)
  name!: string;

  @ApiProperty({ type: [MemberDepartmentDto], description: '1-100 departments' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => MemberDepartmentDto)
  departments!: MemberDepartmentDto[];

  @ApiPropertyOptional({ description: 'false creates the member disabled', default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateMemberRequest extends MemberFields {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  name?: string;

  @ApiPropertyOptional({ type: [MemberDepartmentDto], description: 'Replaces all departments' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => MemberDepartmentDto)
  departments?: MemberDepartmentDto[];
}

export class ListMembersQuery {
  @ApiProperty({ example: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  departmentId!: number;

  @ApiPropertyOptional({ description: 'Include the members of every sub-department', default: false })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean()
  recursive?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  pageSize?: number;

  @ApiPropertyOptional({ description: 'nextPageToken of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  pageToken?: string;
}

export class OffboardMemberRequest {
  @ApiProperty({ description: 'Who inherits what the member owns' })
  @IsString()
  @Length(1, 64)
  successorUserid!: string;
}

export class SearchMembersQuery {
  @ApiProperty({ description: 'Name, alias, userid, mobile, email or pinyin (initials)' })
  @IsString()
  @Length(1, 64)
  q!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class ManagerChainQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 15, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(15)
  levels?: number;
}

export class MemberDepartmentResponse {
  @ApiProperty() departmentId!: number;
  @ApiProperty() isLeader!: boolean;
  @ApiProperty() order!: number;
}

export class ExtAttrResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['text', 'url'] }) type!: string;
  @ApiProperty() value!: string;
  @ApiProperty({ description: 'url attributes: the link title; empty otherwise' }) title!: string;
}

export class MemberResponse {
  @ApiProperty() corpId!: string;
  @ApiProperty({ description: 'Lower-case' }) userid!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['active', 'disabled', 'offboarded'] }) status!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty() alias!: string;
  @ApiProperty() nameEn!: string;
  @ApiProperty() position!: string;
  @ApiProperty() mobile!: string;
  @ApiProperty() email!: string;
  @ApiProperty() telephone!: string;
  @ApiProperty({ enum: [0, 1, 2] }) gender!: number;
  @ApiProperty() avatar!: string;
  @ApiProperty() employeeNo!: string;
  @ApiProperty() address!: string;
  @ApiProperty({ type: [ExtAttrResponse] }) extattrs!: ExtAttrResponse[];
  @ApiProperty({ type: [MemberDepartmentResponse] }) departments!: MemberDepartmentResponse[];
  @ApiProperty() mainDepartment!: number;
  @ApiProperty({ type: [String] }) directLeaders!: string[];
}

export class MemberPageResponse {
  @ApiProperty({ type: [MemberResponse] }) members!: MemberResponse[];
  @ApiProperty({ description: 'Empty on the last page' }) nextPageToken!: string;
}

export class TransferRecordResponse {
  @ApiProperty() id!: string;
  @ApiProperty() userid!: string;
  @ApiProperty() successorUserid!: string;
  @ApiProperty({ description: 'external_contacts, department_heads, direct_reports, groups, approvals, report_reviews' })
  resourceType!: string;
  @ApiProperty({ enum: ['pending', 'done', 'failed'] }) status!: string;
  @ApiProperty() transferred!: number;
  @ApiProperty() detail!: string;
  @ApiProperty() updatedAt!: string;
}

export class OffboardMemberResponse {
  @ApiProperty({ type: MemberResponse }) member!: MemberResponse;
  @ApiProperty({ type: [TransferRecordResponse] }) transfers!: TransferRecordResponse[];
}

export class TransferRecordListResponse {
  @ApiProperty({ type: [TransferRecordResponse] }) transfers!: TransferRecordResponse[];
}

export class SearchHitResponse {
  @ApiProperty({ type: MemberResponse }) member!: MemberResponse;
  @ApiProperty({ enum: ['exact', 'prefix', 'fuzzy'] }) match!: string;
  @ApiProperty({ description: 'userid, name, alias, name_en, mobile, email, pinyin, pinyin_initials' }) field!: string;
}

export class SearchMembersResponse {
  @ApiProperty({ type: [SearchHitResponse] }) hits!: SearchHitResponse[];
}

export class ManagerChainResponse {
  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'string' } },
    description: "levels[0] are the member's direct leaders, levels[1] theirs, …",
  })
  levels!: string[][];
}
