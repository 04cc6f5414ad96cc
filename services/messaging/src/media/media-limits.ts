import { DomainError, ValidationError } from '@atrium/platform';
import { extensionOf, maxBytesFor, MediaSizeLimits, MediaType } from '@atrium/contracts';

export { extensionOf, maxBytesFor };

export interface MediaLimits extends MediaSizeLimits {
  /** Lower-case, without the dot. */
  blockedExtensions: string[];
}

const MB = 1024 * 1024;

/**
 * WeCom's limits for uploaded media (image 10 MB, voice 2 MB, video 10 MB, file 20 MB), and the
 * file types Windows runs on a double click (programs, installers, script hosts, shortcuts):
 * nobody needs to send those through chat, and they are how malware spreads.
 */
export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  maxImageBytes: 10 * MB,
  maxVoiceBytes: 2 * MB,
  maxVideoBytes: 10 * MB,
  maxFileBytes: 20 * MB,
  blockedExtensions: [
    'bat',
    'cmd',
    'com',
    'cpl',
    'exe',
    'hta',
    'jse',
    'lnk',
    'msi',
    'msp',
    'pif',
    'ps1',
    'reg',
    'scr',
    'vbe',
    'vbs',
    'wsf',
    'wsh',
  ],
};

/** The ceiling may not drop below the defaults, so a corp without its own limits is always valid. */
export const MIN_MEDIA_CEILING_BYTES = DEFAULT_MEDIA_LIMITS.maxFileBytes;

const EXTENSION = /^[a-z0-9]{1,16}$/;

/** What a super admin sets: every size 1..ceiling, extensions normalised and de-duplicated. */
export function checkMediaLimits(limits: MediaLimits, ceiling: number): MediaLimits {
  const sizes = [
    ['max_image_bytes', limits.maxImageBytes],
    ['max_voice_bytes', limits.maxVoiceBytes],
    ['max_video_bytes', limits.maxVideoBytes],
    ['max_file_bytes', limits.maxFileBytes],
  ] as const;
  for (const [field, value] of sizes) {
    if (!Number.isSafeInteger(value) || value < 1 || value > ceiling)
      throw new ValidationError(`media_limits.${field} must be 1-${ceiling}`, { field: `media_limits.${field}`, max: ceiling });
  }
  const blockedExtensions = [...new Set(limits.blockedExtensions.map((e) => e.trim().replace(/^\./, '').toLowerCase()))].sort();
  const bad = blockedExtensions.find((e) => !EXTENSION.test(e));
  if (bad !== undefined || blockedExtensions.length > 200)
    throw new ValidationError('media_limits.blocked_extensions: at most 200 extensions of 1-16 letters or digits', {
      field: 'media_limits.blocked_extensions',
    });
  return { ...limits, blockedExtensions };
}

/** The upload as registered breaks none of the corp's limits (the gateway checked the same while streaming). */
export function assertUploadAllowed(limits: MediaLimits, upload: { type: MediaType; size: number; name: string }): void {
  const max = maxBytesFor(limits, upload.type);
  if (upload.size > max)
    throw new DomainError('PAYLOAD_TOO_LARGE', `a ${upload.type} may be at most ${max} bytes`, { maxBytes: max, type: upload.type });
  const extension = extensionOf(upload.name);
  if (extension && limits.blockedExtensions.includes(extension))
    throw new ValidationError(`files of type .${extension} may not be uploaded`, {
      field: 'media',
      reason: 'BLOCKED_EXTENSION',
      extension,
    });
}
