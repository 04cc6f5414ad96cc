import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';

export const IMPORT_BODY_LIMIT = '32mb';
const CSV_MAX_CHARACTERS = 32 * 1024 * 1024;

export class StartImportRequest {
  @ApiProperty({ enum: ['members', 'departments'] })
  @IsIn(['members', 'departments'])
  kind!: string;

  @ApiPropertyOptional({
    enum: ['all_or_nothing', 'partial'],
    default: 'all_or_nothing',
    description: 'partial applies the valid rows and reports the others',
  })
  @IsOptional()
  @IsIn(['all_or_nothing', 'partial'])
  mode?: string;

  @ApiProperty({ description: 'The CSV text (UTF-8, optional BOM, header line first); at most 32 MiB' })
  @IsString()
  @Length(1, CSV_MAX_CHARACTERS)
  csv!: string;
}

export class ImportJobParam {
  @ApiProperty()
  @IsString()
  @IsUUID()
  id!: string;
}

export class ExportKindParam {
  @ApiProperty({ enum: ['members', 'departments'] })
  @IsIn(['members', 'departments'])
  kind!: string;
}

export class ImportRowErrorResponse {
  @ApiProperty({ description: '1-based CSV line (the header is line 1)' }) line!: number;
  @ApiProperty() field!: string;
  @ApiProperty() reason!: string;
}

export class ImportJobResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['members', 'departments'] }) kind!: string;
  @ApiProperty({ enum: ['validating', 'invalid', 'applying', 'done', 'failed'] }) status!: string;
  @ApiProperty({ enum: ['all_or_nothing', 'partial'] }) mode!: string;
  @ApiProperty() totalRows!: number;
  @ApiProperty() processedRows!: number;
  @ApiProperty() errorCount!: number;
  @ApiProperty({ type: [ImportRowErrorResponse], description: 'The first errors (at most 1,000)' }) errors!: ImportRowErrorResponse[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() finishedAt!: string;
  @ApiProperty() createdBy!: string;
}
