import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { messagingV1 } from '@atrium/contracts';
import { BlobObject } from '@atrium/platform';
import { contentDisposition } from './media.mapper';

/**
 * Streams stored media to the client. The bytes are served under the API's origin, so nothing may
 * run from them: never sniffed into HTML, no scripts, files always as downloads.
 */
export async function sendMedia(req: Request, res: Response, media: messagingV1.Media, object: BlobObject): Promise<void> {
  const etag = `"${media.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  if (req.headers['if-none-match'] === etag) {
    object.stream.destroy();
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', media.contentType);
  res.setHeader('Content-Length', String(object.size));
  res.setHeader('Content-Disposition', contentDisposition(media.type === 'file' ? 'attachment' : 'inline', media.name));
  res.status(200);
  // Headers are out: a failure now (the client left, the store broke off) can only cut the body short.
  await pipeline(object.stream, res).catch(() => res.destroy());
}
