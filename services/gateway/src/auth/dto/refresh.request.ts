import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshRequest {
  @ApiProperty({ description: 'The refresh token from login or the previous refresh; each is usable once.' })
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
}
