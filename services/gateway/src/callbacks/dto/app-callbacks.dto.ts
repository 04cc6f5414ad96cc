import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { INT32_MAX } from '../../http/params';

export class SetAppCallbackRequest {
  @ApiProperty({
    description:
      'http(s) URL of the app that receives event callbacks. Atrium first sends the WeCom URL check (GET with msg_signature, timestamp, nonce, echostr) and saves only if the app answers with the decrypted echostr.',
    example: 'https://hr.example.com/wecom/callback',
  })
  @IsString()
  @Length(1, 2_048)
  url!: string;

  @ApiProperty({ description: 'Token: signs every callback (msg_signature)', example: 'QDG6eK' })
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,32}$/, { message: 'token must be 1-32 letters and digits' })
  token!: string;

  @ApiProperty({ description: 'EncodingAESKey: 43 letters and digits, the base64 of the AES-256 key without "="' })
  @IsString()
  @Matches(/^[A-Za-z0-9]{43}$/, { message: 'encodingAesKey must be 43 letters and digits' })
  encodingAesKey!: string;
}

export class AppCallbackResponse {
  @ApiProperty({ example: 1000002 }) agentid!: number;
  @ApiProperty() url!: string;
  @ApiProperty({ format: 'date-time', description: 'When the URL check last passed' }) verifiedAt!: string;
  @ApiProperty() updatedBy!: string;
}

export class DeliveriesQuery {
  @ApiPropertyOptional({ example: 1000002 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  agentid?: number;

  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: 'pending' | 'delivered' | 'failed';

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class CallbackDeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() agentid!: number;
  @ApiProperty({ example: 'template_card_event' }) eventType!: string;
  @ApiProperty({ format: 'uuid', description: 'The platform event that caused it' }) eventId!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty({ description: 'Tries so far' }) attempts!: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: "HTTP status of the last try's answer" }) lastStatus!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Next try (pending only)' })
  nextAttemptAt!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) failedAt!: string | null;
}

export class CallbackDeliveryListResponse {
  @ApiProperty({ type: [CallbackDeliveryResponse] }) deliveries!: CallbackDeliveryResponse[];
}
