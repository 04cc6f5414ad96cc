import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CreateAppRequest {
  @ApiProperty({ description: 'Display name of the self-built app', example: 'HR sync' })
  @IsString()
  @Length(1, 64)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;
}

export class AppResponse {
  @ApiProperty({ example: 1000002, description: 'The app id of the WeCom-compatible API' })
  agentid!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  secretRotatedAt!: string;
}

export class AppWithSecretResponse extends AppResponse {
  @ApiProperty({ description: 'The app secret (corpsecret of /cgi-bin/gettoken); shown only now' })
  secret!: string;
}

export class AppListResponse {
  @ApiProperty({ type: [AppResponse] })
  apps!: AppResponse[];
}

export class SyncSecretResponse {
  @ApiProperty({
    description:
      'The directory-sync secret (corpsecret of /cgi-bin/gettoken, directory writes); shown only now. The previous one stops working.',
  })
  secret!: string;
}
