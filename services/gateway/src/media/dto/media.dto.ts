import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { UPLOAD_TYPES, UploadType } from '../media-rules';

export class UploadMediaQuery {
  @ApiProperty({ enum: UPLOAD_TYPES, description: 'image, voice and video are checked by their content; file takes anything not blocked' })
  @IsIn(UPLOAD_TYPES)
  type!: UploadType;
}

export class MediaIdParam {
  @ApiProperty({ example: 'p3c1XQn0a9Vf1oZ2m8cQ7Yw4Rk6tB5sH' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  mediaId!: string;
}

/** The multipart form of an upload (OpenAPI only). */
export class UploadMediaForm {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The file; its name is kept as the display name' })
  media!: unknown;
}

export class MediaResponse {
  @ApiProperty({ description: 'Refer to it in an image, voice, video or file message' })
  mediaId!: string;

  @ApiProperty({ enum: UPLOAD_TYPES })
  type!: string;

  @ApiProperty({ example: 524288 })
  size!: number;

  @ApiProperty({ description: 'Lower-case hex SHA-256 of the bytes (also the ETag of the download)' })
  sha256!: string;

  @ApiProperty({ example: 'image/png', description: 'Decided by the bytes for image, voice and video' })
  contentType!: string;

  @ApiProperty({ example: 'photo.png' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
