import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { INT32_MAX } from '../../http/params';

const PERMISSIONS = ['manage_members', 'manage_departments', 'view', 'manage_security'];

export class SetAdminScopeRequest {
  @ApiProperty({ enum: ['super_admin', 'sub_admin'] })
  @IsIn(['super_admin', 'sub_admin'])
  role!: string;

  @ApiPropertyOptional({ type: [Number], description: 'Roots of the subtrees a sub-admin governs' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(INT32_MAX, { each: true })
  departmentIds?: number[];

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  permissions?: string[];
}

export class AdminScopeResponse {
  @ApiProperty() userid!: string;
  @ApiProperty({ enum: ['super_admin', 'sub_admin'] }) role!: string;
  @ApiProperty({ type: [Number] }) departmentIds!: number[];
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions!: string[];
}

export class AdminScopeListResponse {
  @ApiProperty({ type: [AdminScopeResponse] }) scopes!: AdminScopeResponse[];
}
