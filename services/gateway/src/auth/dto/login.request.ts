import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class LoginRequest {
  @ApiProperty({ description: 'Corp code (the tenant)', example: 'demo' })
  @IsString()
  @Length(1, 64)
  corp!: string;

  @ApiProperty({ description: 'Member userid', example: 'admin' })
  @IsString()
  @Length(1, 64)
  account!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256)
  password!: string;
}
