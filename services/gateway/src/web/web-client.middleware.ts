import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/**
 * Paths the web client never owns: the API, the WeCom-compatible API, the socket, the API docs and
 * the probes keep their own answers (a 404 stays a JSON 404, never the client's page).
 */
const SERVER_PATHS = /^\/(api|cgi-bin|ws|docs|docs-json|healthz|readyz|livez|metrics)(\/|$|\?)/;

/** A path whose last segment has an extension names a file: a missing one is a 404, not the app. */
const FILE_PATH = /\/[^/]*\.[^/]*$/;

/**
 * Vite's output under assets/ carries a content hash in each name, so a browser may keep it for a
 * year; anything else (index.html above all) is revalidated so a deploy reaches every tab.
 */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Scripts only from this origin (the build emits none inline); styles may be inline because Ant
 * Design writes its CSS-in-JS into style elements at run time; the socket is same-origin.
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function setSecurityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * Serves the built web client at `/`: its files, and index.html for any other page path so the
 * client's router can take deep links (SPA fallback). Returns undefined when `root` holds no build,
 * so an API-only deployment answers exactly as before.
 */
export function webClient(root: string): RequestHandler | undefined {
  const dir = resolve(root);
  const indexHtml = join(dir, 'index.html');
  if (!existsSync(indexHtml)) return undefined;
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      setSecurityHeaders(res);
      res.setHeader('Cache-Control', path.startsWith(join(dir, 'assets') + '/') ? IMMUTABLE : REVALIDATE);
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path)) return next();
    files(req, res, () => {
      if (FILE_PATH.test(req.path)) return next();
      setSecurityHeaders(res);
      res.setHeader('Cache-Control', REVALIDATE);
      res.sendFile(indexHtml);
    });
  };
}
