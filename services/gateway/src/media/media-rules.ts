import { extensionOf, isMediaType, maxBytesFor, MEDIA_TYPES, MediaType } from '@atrium/contracts';
import { ValidationError } from '@atrium/platform';
import { Sniffed } from './media-sniff';

// The corp's limits are messaging's policy (maxBytesFor); its registry checks them again.
export { extensionOf, isMediaType as isUploadType, maxBytesFor, MEDIA_TYPES as UPLOAD_TYPES };
export type UploadType = MediaType;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
const MIME = /^[A-Za-z0-9][\w.+-]*\/[A-Za-z0-9][\w.+-]*$/;

/** The name a client sent, as a display name: no directories, no control characters, at most 255 characters. */
export function cleanName(raw: string | undefined, type: UploadType, mime: string): string {
  const base = (raw ?? '').split(/[/\\]/).pop()!.replace(CONTROL, '').trim();
  const name = [...base].slice(0, 255).join('');
  if (name) return name;
  const subtype = mime.split('/')[1]?.replace(/^x-/, '');
  return subtype && /^[a-z0-9]{1,10}$/.test(subtype) ? `${type}.${subtype}` : type;
}

export function refuseBlockedExtension(name: string, blocked: string[]): void {
  const extension = extensionOf(name);
  if (extension && blocked.includes(extension))
    throw new ValidationError(`files of type .${extension} may not be uploaded`, {
      field: 'media',
      reason: 'BLOCKED_EXTENSION',
      extension,
    });
}

const NOT_OF_TYPE: Record<UploadType, string> = {
  image: 'an image (PNG, JPEG, GIF, WebP, BMP, HEIC or AVIF)',
  voice: 'a voice recording (AMR, SILK, MP3, AAC/M4A, Ogg, WAV, FLAC or WebM)',
  video: 'a video (MP4, MOV, 3GP, WebM or AVI)',
  file: 'a file',
};

/**
 * The content type to store, decided by the bytes for images, voice and video (a name or a declared
 * type proves nothing); a file keeps its declared type unless its bytes say more, and a Windows
 * program is refused whatever it is called when the corp blocks `.exe`.
 */
export function contentTypeFor(type: UploadType, sniffed: Sniffed | undefined, declared: string, blocked: string[]): string {
  const refuse = () => {
    throw new ValidationError(`the content is not ${NOT_OF_TYPE[type]}`, { field: 'media', reason: 'CONTENT_MISMATCH', type });
  };
  switch (type) {
    case 'image':
      return sniffed?.kind === 'image' ? sniffed.mime : refuse();
    case 'voice':
      if (sniffed?.kind === 'audio') return sniffed.mime;
      return sniffed?.mime === 'video/webm' ? 'audio/webm' : refuse();
    case 'video':
      return sniffed?.kind === 'video' ? sniffed.mime : refuse();
    case 'file':
      if (sniffed?.kind === 'executable' && blocked.includes('exe'))
        throw new ValidationError('executable programs may not be uploaded', { field: 'media', reason: 'EXECUTABLE' });
      return sniffed?.mime ?? (MIME.test(declared) && declared.length <= 128 ? declared.toLowerCase() : 'application/octet-stream');
  }
}
