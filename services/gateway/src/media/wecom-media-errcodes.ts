import { DomainError } from '@atrium/platform';
import { ERRCODE, Errcode } from '../wecom/wecom-error';

/** WeCom's errcodes for media/upload and media/get failures; undefined: the general mapping applies. */
export function mediaErrcodeFor(error: DomainError): Errcode | undefined {
  const details = error.details ?? {};
  switch (error.code) {
    case 'PAYLOAD_TOO_LARGE':
      return details.type === 'image'
        ? ERRCODE.INVALID_IMAGE_SIZE
        : details.type === 'video'
          ? ERRCODE.INVALID_VIDEO_SIZE
          : ERRCODE.INVALID_FILE_SIZE;
    case 'NOT_FOUND':
      return ERRCODE.INVALID_MEDIA_ID;
    case 'VALIDATION_FAILED':
      if (details.field === 'type') return ERRCODE.INVALID_MEDIA_TYPE;
      if (details.reason === 'MISSING' || details.reason === 'EMPTY') return ERRCODE.EMPTY_MEDIA;
      if (details.reason === 'MALFORMED') return ERRCODE.DATA_FORMAT_ERROR;
      if (details.field === 'media') return ERRCODE.INVALID_MEDIA_FILE_TYPE;
      return undefined;
    default:
      return undefined;
  }
}
