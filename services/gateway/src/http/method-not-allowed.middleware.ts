import { currentTraceId } from '@atrium/platform';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface KnownPath {
  pattern: RegExp;
  allow: string[];
}

/** `/api/v1/x/{id}/y` → a regex over one decoded path, each `{param}` one segment. */
function patternOf(template: string): RegExp {
  const escaped = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}/?$`);
}

/** The documented paths with the methods each accepts (HEAD with GET, as Express answers it). */
export function knownPaths(document: OpenAPIObject): KnownPath[] {
  return Object.entries(document.paths).map(([template, item]) => {
    const methods = HTTP_METHODS.filter((m) => (item as Record<string, unknown>)[m] !== undefined).map((m) => m.toUpperCase());
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    return { pattern: patternOf(template), allow: methods };
  });
}

/**
 * A known path asked with a method it does not take answers 405 with `Allow` (RFC 9110 §15.5.6)
 * and the API's error envelope, instead of the router's 404 "no such endpoint", which told a client
 * the resource did not exist. Built from the OpenAPI document, so it follows the routes.
 */
export function methodNotAllowed(document: OpenAPIObject): RequestHandler {
  const paths = knownPaths(document);
  return (req: Request, res: Response, next: NextFunction) => {
    // CORS preflights are not ours to refuse.
    if (req.method === 'OPTIONS') return next();
    const path = req.path;
    const matching = paths.filter((p) => p.pattern.test(path));
    if (matching.length === 0) return next();
    const allow = [...new Set(matching.flatMap((p) => p.allow))];
    if (allow.includes(req.method)) return next();
    res.setHeader('Allow', allow.join(', '));
    res.status(405).json({
      code: 'METHOD_NOT_ALLOWED',
      message: `${req.method} is not allowed here; allowed: ${allow.join(', ')}`,
      details: { allow },
      traceId: currentTraceId(),
    });
  };
}
