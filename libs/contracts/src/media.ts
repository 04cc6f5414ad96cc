/**
 * The media vocabulary the gateway (which streams uploads) and messaging (which keeps the registry
 * and the corp's limits) must agree on.
 */
export const MEDIA_TYPES = ['image', 'voice', 'video', 'file'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const isMediaType = (value: unknown): value is MediaType => (MEDIA_TYPES as readonly unknown[]).includes(value);

export interface MediaSizeLimits {
  maxImageBytes: number;
  maxVoiceBytes: number;
  maxVideoBytes: number;
  maxFileBytes: number;
}

/** The corp's size limit for one type of media. */
export function maxBytesFor(limits: MediaSizeLimits, type: MediaType): number {
  switch (type) {
    case 'image':
      return limits.maxImageBytes;
    case 'voice':
      return limits.maxVoiceBytes;
    case 'video':
      return limits.maxVideoBytes;
    case 'file':
      return limits.maxFileBytes;
  }
}

/** `report.Final.PDF` → `pdf`; no extension → ''. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 || dot === name.length - 1 ? '' : name.slice(dot + 1).toLowerCase();
}
