import { ApiProperty } from '@nestjs/swagger';

export class TokenResponse {
  @ApiProperty({ description: 'JWT (HS256) for `Authorization: Bearer`' })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque, single-use; rotate it with POST /api/v1/auth/refresh' })
  refreshToken!: string;

  @ApiProperty({ description: 'Access token lifetime in seconds', example: 900 })
  expiresIn!: number;
}
