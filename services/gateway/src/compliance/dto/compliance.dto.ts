import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { INT32_MAX } from '../../http/params';
import { BooleanQuery } from '../../http/query-transforms';

/** A query list: `a,b` or the parameter repeated. */
const ListQuery = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === undefined) return undefined;
    const items = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
    return items.map((v) => v.trim()).filter(Boolean);
  });

export class GrantOfficerRequest {
  @ApiPropertyOptional({ type: [Number], description: 'Department subtrees the officer may read; empty or absent: the whole corp' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(INT32_MAX, { each: true })
  departmentIds?: number[];
}

export class OfficerResponse {
  @ApiProperty() userid!: string;
  @ApiProperty({ type: [Number], description: 'Empty: the whole corp' }) departmentIds!: number[];
  @ApiProperty() grantedBy!: string;
  @ApiProperty({ format: 'date-time' }) grantedAt!: string;
}

export class OfficerListResponse {
  @ApiProperty({ type: [OfficerResponse] }) officers!: OfficerResponse[];
}

/** The filters of search and export. */
export class ArchiveFilterFields {
  @ApiPropertyOptional({ description: 'One conversation' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  conversationId?: string;

  @ApiPropertyOptional({ type: [String], description: 'Any of them sent the message or was ever a member of its conversation' })
  @IsOptional()
  @ListQuery()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  participants?: string[];

  @ApiPropertyOptional({ description: "A participant was in this department's subtree when the message was archived" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  departmentId?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Sent at or after' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Sent before' })
  @IsOptional()
  @IsISO8601()
  to?: string;

  @ApiPropertyOptional({ example: 'text' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  messageType?: string;

  @ApiPropertyOptional({ description: 'Chinese (two characters or more, found inside sentences) or words; all must occur' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  keyword?: string;
}

export class SearchArchiveQuery extends ArchiveFilterFields {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}

export class ArchivedMessageResponse {
  @ApiProperty({ description: "Position in the corp's hash chain" }) seq!: number;
  @ApiProperty({ format: 'uuid', description: 'Record id (the event id)' }) eventId!: string;
  @ApiProperty({ example: 'messaging.message.sent' }) eventType!: string;
  @ApiProperty() conversationId!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() messageType!: string;
  @ApiProperty({ format: 'date-time' }) sentAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The archived event payload, decrypted' })
  payload!: Record<string, unknown>;
}

export class SearchArchiveResponse {
  @ApiProperty({ type: [ArchivedMessageResponse], description: 'Newest first' }) messages!: ArchivedMessageResponse[];
  @ApiProperty({ description: 'Empty on the last page' }) nextCursor!: string;
}

export class RecordIdParam {
  @ApiProperty({ format: 'uuid', description: 'The eventId of a search result' })
  @IsUUID()
  id!: string;
}

export class ContextQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: 50, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(50)
  before?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 50, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(50)
  after?: number;
}

export class RecordContextResponse {
  @ApiProperty({ type: [ArchivedMessageResponse], description: 'Oldest first' }) before!: ArchivedMessageResponse[];
  @ApiProperty({ type: ArchivedMessageResponse }) record!: ArchivedMessageResponse;
  @ApiProperty({ type: [ArchivedMessageResponse], description: 'Oldest first' }) after!: ArchivedMessageResponse[];
}

export class CreateExportRequest extends ArchiveFilterFields {
  @ApiProperty({ enum: ['jsonl', 'csv'] })
  @IsIn(['jsonl', 'csv'])
  format!: 'jsonl' | 'csv';

  @ApiPropertyOptional({ minimum: 1, maximum: 100_000, default: 100_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxRecords?: number;
}

export class ExportFilterResponse {
  @ApiProperty() conversationId!: string;
  @ApiProperty({ type: [String] }) participants!: string[];
  @ApiProperty({ description: '0: any' }) departmentId!: number;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() messageType!: string;
  @ApiProperty() keyword!: string;
}

export class ExportResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() officer!: string;
  @ApiProperty({ enum: ['jsonl', 'csv'] }) format!: string;
  @ApiProperty({ type: ExportFilterResponse }) filter!: ExportFilterResponse;
  @ApiProperty() maxRecords!: number;
  @ApiProperty({ description: 'Rows written (final once completedAt is set)' }) recordCount!: number;
  @ApiProperty({ description: "Hex SHA-256 of the export's trace token" }) tokenHash!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'Empty while the file has not been read to its end' }) completedAt!: string;
}

export class ExportListResponse {
  @ApiProperty({ type: [ExportResponse], description: 'Newest first' }) exports!: ExportResponse[];
}

export class TraceExportRequest {
  @ApiPropertyOptional({ description: 'A leaked line or any text copied from it (its invisible token is enough)' })
  @IsOptional()
  @IsString()
  @Length(1, 1_000_000)
  text?: string;

  @ApiPropertyOptional({ description: "A row's visible mark", example: '3f2a9c0d1e4b5a67' })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{16}$/)
  mark?: string;

  @ApiPropertyOptional({ description: "The row's seq (with mark)" })
  @IsOptional()
  @IsInt()
  @Min(1)
  seq?: number;
}

export class TraceExportResponse {
  @ApiProperty({ type: ExportResponse, nullable: true }) export!: ExportResponse | null;
  @ApiProperty({ enum: ['token', 'mark', ''] }) matchedBy!: string;
}

export class CreateHoldRequest {
  @ApiProperty({ example: 'Case 2025-041' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  reason?: string;

  @ApiPropertyOptional({ type: [String], description: 'Held: messages they sent, or of conversations they were ever in' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  participants?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  conversationIds?: string[];

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601()
  to?: string;
}

export class HoldResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: [String] }) participants!: string[];
  @ApiProperty({ type: [String] }) conversationIds!: string[];
  @ApiProperty({ description: 'Empty: unbounded' }) from!: string;
  @ApiProperty({ description: 'Empty: unbounded' }) to!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'Empty while active' }) releasedBy!: string;
  @ApiProperty({ description: 'Empty while active' }) releasedAt!: string;
}

export class HoldListResponse {
  @ApiProperty({ type: [HoldResponse] }) holds!: HoldResponse[];
}

export class ListHoldsQuery {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean()
  includeReleased?: boolean;
}

export class HoldIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class ArchivePolicyDto {
  @ApiProperty({ description: 'Off: only admin actions are archived' })
  @IsBoolean()
  archivingEnabled!: boolean;

  @ApiProperty({ minimum: 0, maximum: 36_500, description: '0: kept forever' })
  @IsInt()
  @Min(0)
  @Max(36_500)
  retentionDays!: number;
}

export class VerifyResponse {
  @ApiProperty() ok!: boolean;
  @ApiProperty() recordsChecked!: number;
  @ApiProperty() checkpointsChecked!: number;
  @ApiProperty({ description: 'When not ok: the first chain position that does not match' }) firstBadSeq!: number;
  @ApiProperty() firstBadEventId!: string;
  @ApiProperty() reason!: string;
}

export class CheckpointResponse {
  @ApiProperty() fromSeq!: number;
  @ApiProperty() toSeq!: number;
  @ApiProperty() merkleRoot!: string;
  @ApiProperty() headHash!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() signature!: string;
}

export class CreateCheckpointResponse {
  @ApiProperty({ type: CheckpointResponse, nullable: true, description: 'null when nothing was archived since the last one' })
  checkpoint!: CheckpointResponse | null;
}

export class RegisterPublicKeyRequest {
  @ApiProperty({ description: 'RSA (≥ 2048 bits) public key, PEM' })
  @IsString()
  @Length(100, 10_000)
  publicKeyPem!: string;
}

export class PublicKeyResponse {
  @ApiProperty({ description: 'publickey_ver' }) version!: number;
  @ApiProperty() publicKeyPem!: string;
  @ApiProperty({ description: 'Hex SHA-256 of the DER (SPKI) key' }) fingerprint!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class PublicKeyListResponse {
  @ApiProperty({ type: [PublicKeyResponse], description: 'Newest first; the newest encrypts what is pulled' })
  keys!: PublicKeyResponse[];
}

export class PullSecretResponse {
  @ApiProperty({ description: 'Shown once. /cgi-bin/msgaudit/gettoken takes it as corpsecret' }) secret!: string;
  @ApiProperty() version!: number;
}

export class PullRequest {
  @ApiProperty({ description: 'Records after this seq (0: from the start)', minimum: 0 })
  @IsInt()
  @Min(0)
  seq!: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class PulledRecordResponse {
  @ApiProperty() seq!: number;
  @ApiProperty() msgid!: string;
  @ApiProperty() publickey_ver!: number;
  @ApiProperty({ description: 'Base64 of RSA-OAEP-SHA256 of the 32-byte message key' }) encrypt_random_key!: string;
  @ApiProperty({ description: 'Base64 of nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16); AAD: the msgid' }) encrypt_chat_msg!: string;
}

export class PullResponse {
  @ApiProperty({ type: [PulledRecordResponse] }) chatdata!: PulledRecordResponse[];
  @ApiProperty({ description: 'The highest seq examined: the next pull starts after it' }) nextSeq!: number;
}
