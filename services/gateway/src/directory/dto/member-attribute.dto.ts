import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

const ORDER_MAX = 4_294_967_295;

export class MemberAttributeNameParam {
  @ApiProperty({ example: 'Badge' })
  @IsString()
  @Length(1, 32)
  name!: string;
}

export class CreateMemberAttributeRequest {
  @ApiProperty({ example: 'Badge', description: '1-32 characters, unique in the corp (case-insensitive)' })
  @IsString()
  @Length(1, 32)
  name!: string;

  @ApiProperty({ enum: ['text', 'url'], description: 'text: up to 64 characters; url: an http(s) URL with an optional title' })
  @IsIn(['text', 'url'])
  type!: 'text' | 'url';

  @ApiPropertyOptional({ description: 'Display order, ascending; absent or 0: after the others' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(ORDER_MAX)
  order?: number;
}

/** The type of an attribute never changes: delete it and define another. */
export class UpdateMemberAttributeRequest {
  @ApiPropertyOptional({ description: "A new name; every member's value follows" })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(ORDER_MAX)
  order?: number;
}

export class MemberAttributeResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['text', 'url'] }) type!: string;
  @ApiProperty() order!: number;
}

export class MemberAttributeListResponse {
  @ApiProperty({ type: [MemberAttributeResponse] }) attributes!: MemberAttributeResponse[];
}

export class DeleteMemberAttributeResponse {
  @ApiProperty({ description: 'Members whose value of the attribute was removed with it' }) clearedMembers!: number;
}
