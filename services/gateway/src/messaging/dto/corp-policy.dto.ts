import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

/** What messaging accepts as a per-type upload limit (1 GiB). */
const MAX_MEDIA_BYTES = 1_073_741_824;

export class MediaLimitsDto {
  @ApiProperty({ description: 'Largest image upload, bytes' }) @IsInt() @Min(1) @Max(MAX_MEDIA_BYTES) maxImageBytes!: number;
  @ApiProperty({ description: 'Largest voice upload, bytes' }) @IsInt() @Min(1) @Max(MAX_MEDIA_BYTES) maxVoiceBytes!: number;
  @ApiProperty({ description: 'Largest video upload, bytes' }) @IsInt() @Min(1) @Max(MAX_MEDIA_BYTES) maxVideoBytes!: number;
  @ApiProperty({ description: 'Largest file upload, bytes' }) @IsInt() @Min(1) @Max(MAX_MEDIA_BYTES) maxFileBytes!: number;
  @ApiProperty({ type: [String], description: 'File name extensions refused (lower-case, no dot)', example: ['exe', 'bat'] })
  @IsString({ each: true })
  @Matches(/^[a-z0-9]{1,16}$/, { each: true })
  @ArrayMaxSize(200)
  blockedExtensions!: string[];
}

/** The corp's messaging policy; in an update, every absent field keeps its current value. */
export class CorpPolicyDto {
  @ApiPropertyOptional({ description: 'false: only admins create groups' }) @IsOptional() @IsBoolean() membersMayCreateGroups?: boolean;
  @ApiPropertyOptional({ description: 'How long senders may recall, seconds (0-604800)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800)
  recallWindowSeconds?: number;
  @ApiPropertyOptional({ description: 'Group size cap, 2-10000 (all-staff groups)' })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(10_000)
  maxGroupMembers?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() watermarkEnabled?: boolean;
  @ApiPropertyOptional({ description: 'Placeholders {name}, {userid}, {employee_no}, {date}', example: '{name} {employee_no}' })
  @IsOptional()
  @IsString()
  @Length(0, 64)
  watermarkTemplate?: string;
  @ApiPropertyOptional({ enum: ['any', 'internal_only', 'same_department'] })
  @IsOptional()
  @IsIn(['any', 'internal_only', 'same_department'])
  fileForwarding?: string;
  @ApiPropertyOptional({ description: 'Days messaging keeps message content (0: forever)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(36_500)
  messageRetentionDays?: number;
  @ApiPropertyOptional({ description: 'Burn-after-reading messages vanish for the sender too after this, seconds (60-604800)' })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(604_800)
  burnTtlSeconds?: number;
  @ApiPropertyOptional({
    description: 'Shown with burn-after-reading messages, e.g. that the corp archives chats (at most 200 characters)',
  })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  archiveNotice?: string;
  @ApiPropertyOptional({ type: MediaLimitsDto }) @IsOptional() @ValidateNested() @Type(() => MediaLimitsDto) mediaLimits?: MediaLimitsDto;
}
