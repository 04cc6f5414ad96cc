import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { CallerIdentity, findInputFault } from '@atrium/platform';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { raw, type NextFunction, type Request, type Response } from 'express';
import { ERRCODE, Errcode, WecomError } from './wecom-error';
import { AppGrant } from './wecom-tokens';

/** The directory's contract: a caller with this role may write the whole directory. */
export const DIRECTORY_SYNC_ROLE = 'directory_sync';

export type WecomRequest = Request & {
  wecomGrant?: AppGrant;
  /** Set by wecomBodyReader: whether the body was JSON. */
  wecomBody?: 'json' | 'empty' | 'malformed';
};

/**
 * Per-DTO errcodes: by property (`name`), by property and failed constraint (`name.matches`), or
 * for an absent property (`name.missing`); anything else is 40058.
 */
export type WecomErrcodes = Record<string, Errcode>;
type WecomDto<T> = ClassConstructor<T> & { errcodes?: WecomErrcodes };

const TYPE_CONSTRAINTS = new Set(['isString', 'isInt', 'isArray', 'isBoolean', 'isObject', 'nestedValidation']);

function firstFailure(errors: ValidationError[], path = ''): { path: string; error: ValidationError } | undefined {
  for (const error of errors) {
    const here = path ? `${path}.${error.property}` : error.property;
    if (error.constraints) return { path: here, error };
    const nested = firstFailure(error.children ?? [], here);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * Reads a WeCom request object into its DTO. Unknown fields are ignored (integrations send
 * fields Atrium does not model); numbers may come as digit strings, as WeCom accepts them.
 */
export function readWecomInput<T extends object>(dto: WecomDto<T>, input: unknown): T {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new WecomError(ERRCODE.DATA_FORMAT_ERROR, 'request body must be a JSON object');
  }
  const instance = plainToInstance(dto, input);
  const failure = firstFailure(validateSync(instance, { whitelist: true, forbidUnknownValues: false }));
  if (!failure) return instance;
  const property = failure.path.split('.')[0];
  const codes = dto.errcodes ?? {};
  const value = (input as Record<string, unknown>)[property];
  const constraints = Object.keys(failure.error.constraints ?? {});
  const absent = value === undefined || value === null || value === '';
  // A constraint's own errcode (60009 for a character a name must not contain) applies only to a
  // value of the right type; an absent or mistyped one gets the property's errcode.
  const specific =
    absent || constraints.some((c) => TYPE_CONSTRAINTS.has(c))
      ? undefined
      : constraints.map((c) => codes[`${property}.${c}`]).find((c) => c !== undefined);
  const errcode = (absent ? codes[`${property}.missing`] : undefined) ?? specific ?? codes[property] ?? ERRCODE.INVALID_PARAMETER;
  const reasons = Object.values(failure.error.constraints ?? {}).join(', ');
  throw new WecomError(errcode, `invalid ${failure.path}: ${reasons}`);
}

/** The JSON body as the DTO (a body that is not JSON: 47001). Not seen by the global ValidationPipe. */
export const WecomBody = createParamDecorator((dto: WecomDto<object>, context: ExecutionContext) => {
  const req = context.switchToHttp().getRequest<WecomRequest>();
  if (req.wecomBody === 'malformed') throw new WecomError(ERRCODE.DATA_FORMAT_ERROR, 'request body is not valid JSON');
  return readWecomInput(dto, req.wecomBody === 'json' ? req.body : {});
});

/** The query string as the DTO (access_token and unknown parameters are ignored). */
export const WecomQuery = createParamDecorator((dto: WecomDto<object>, context: ExecutionContext) =>
  readWecomInput(dto, { ...context.switchToHttp().getRequest<WecomRequest>().query }),
);

export function identityFor(grant: AppGrant): CallerIdentity {
  return grant.owner.kind === 'directory_sync'
    ? { corpId: grant.corpId, userId: 'app:directory-sync', roles: [DIRECTORY_SYNC_ROLE] }
    : { corpId: grant.corpId, userId: `app:${grant.owner.agentid}`, roles: [] };
}

/** Who the access token speaks for, as the identity the directory checks (after WecomAccessGuard). */
export const WecomCaller = createParamDecorator((_: unknown, context: ExecutionContext): CallerIdentity => {
  const grant = context.switchToHttp().getRequest<WecomRequest>().wecomGrant;
  if (!grant) throw new WecomError(ERRCODE.MISSING_ACCESS_TOKEN, 'access_token missing');
  return identityFor(grant);
});

/** Answers input that breaks the text rules with 40058 naming the field; true when it did. */
function refuseBadText(req: Request, res: Response, body: unknown): boolean {
  const fault = findInputFault(req.query) ?? findInputFault(body);
  if (!fault) return false;
  res.status(200).json({ errcode: ERRCODE.INVALID_PARAMETER, errmsg: `invalid ${fault.field}: ${fault.reason}` });
  return true;
}

/**
 * Mounted on /cgi-bin before the framework's JSON parser (which then skips the consumed body):
 * reads any body whatever its content type, and records a malformed one instead of failing the
 * request, so the answer is a WeCom errcode rather than the native error envelope.
 */
export function wecomBodyReader(limit: string) {
  const readRaw = raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction): void => {
    // Uploads (media/upload) are streamed by their handler, never read whole here.
    if (req.is('multipart/form-data')) {
      (req as WecomRequest).wecomBody = 'empty';
      if (!refuseBadText(req, res, undefined)) next();
      return;
    }
    readRaw(req, res, (error?: unknown) => {
      const request = req as WecomRequest;
      if (error) {
        res.status(200).json({ errcode: ERRCODE.DATA_FORMAT_ERROR, errmsg: `request body is unreadable or larger than ${limit}` });
        return;
      }
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        request.wecomBody = 'empty';
        req.body = undefined;
      } else {
        try {
          req.body = JSON.parse(body.toString('utf8')) as unknown;
          request.wecomBody = 'json';
        } catch {
          req.body = undefined;
          request.wecomBody = 'malformed';
        }
      }
      // The text rules of the REST edge (see findInputFault), answered the WeCom way: before any
      // DTO is read, whose recursion a deeply nested body would overflow.
      if (!refuseBadText(req, res, request.wecomBody === 'json' ? req.body : undefined)) next();
    });
  };
}
