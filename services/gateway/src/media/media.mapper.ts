import { messagingV1 } from '@atrium/contracts';
import { MediaResponse } from './dto/media.dto';

export const toMediaResponse = (m: messagingV1.Media): MediaResponse => ({
  mediaId: m.mediaId,
  type: m.type,
  size: m.size,
  sha256: m.sha256,
  contentType: m.contentType,
  name: m.name,
  createdAt: m.createdAt,
});

/** `attachment; filename="naive ascii"; filename*=UTF-8''…` (RFC 6266 with RFC 5987 for any name). */
export function contentDisposition(disposition: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'download';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
