import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length } from 'class-validator';

export class CreateExternalContactRequest {
  @ApiPropertyOptional({ description: 'The member who owns the contact; the caller when absent' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  ownerUserid?: string;

  @ApiProperty() @IsString() @Length(1, 64) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 128) company?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 32) mobile?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 64) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 1024) notes?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  tags?: string[];
}

export class ListExternalContactsQuery {
  @ApiPropertyOptional({ description: 'The owner; the caller when absent' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  owner?: string;
}

export class ExternalContactResponse {
  @ApiProperty() id!: string;
  @ApiProperty() ownerUserid!: string;
  @ApiProperty() name!: string;
  @ApiProperty() company!: string;
  @ApiProperty() mobile!: string;
  @ApiProperty() email!: string;
  @ApiProperty() notes!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
}

export class ExternalContactListResponse {
  @ApiProperty({ type: [ExternalContactResponse] }) contacts!: ExternalContactResponse[];
}
