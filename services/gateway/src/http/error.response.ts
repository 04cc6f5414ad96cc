import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error envelope of the public API. */
export class ErrorResponse {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code' })
  code!: string;

  @ApiProperty({ example: 'password: must be a string' })
  message!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  details?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Trace id to quote to an operator' })
  traceId?: string;
}
