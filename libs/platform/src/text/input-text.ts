import { ValidationError } from '../errors';

/**
 * The text Atrium accepts from outside, decided once: PostgreSQL cannot store a NUL in text or
 * jsonb, a lone UTF-16 surrogate has no UTF-8 encoding (protobuf and the database would store it
 * as U+FFFD, silently changed), and nesting deeper than anyone writes by hand only serves to
 * overflow a recursive validator's stack.
 */

/** Objects and arrays inside one another, counting the outermost as 1. */
export const MAX_INPUT_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not text Atrium stores, or undefined when it is. */
export function textFault(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return undefined;
}

/**
 * For a service, where text reaches PostgreSQL (which cannot store a NUL): the gateway checked it
 * already, but imports and other services' calls reach the service too.
 */
export function assertStorableText(value: string, field: string): void {
  const fault = textFault(value);
  if (fault) throw new ValidationError(`${field} ${fault}`, { field });
}

export interface InputFault {
  /** Dotted path of the offending value (`content.text`, `userids.0`); `root` when the input itself. */
  field: string;
  reason: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * The first string (value or key) in a parsed JSON body, query or path parameters that breaks the
 * text rules, or the first place nested deeper than MAX_INPUT_DEPTH. Walks plain objects and arrays
 * only, so class instances and cycles are never entered; the depth bound keeps the walk itself
 * shallow.
 */
export function findInputFault(input: unknown, root = ''): InputFault | undefined {
  const walk = (value: unknown, path: string, depth: number): InputFault | undefined => {
    if (typeof value === 'string') {
      const reason = textFault(value);
      return reason ? { field: path || 'root', reason } : undefined;
    }
    const isArray = Array.isArray(value);
    if (!isArray && !isPlainObject(value)) return undefined;
    // Named by its top-level field: the full path would be MAX_INPUT_DEPTH segments long.
    if (depth > MAX_INPUT_DEPTH)
      return { field: path.split('.')[0] || 'root', reason: `must not nest deeper than ${MAX_INPUT_DEPTH} levels` };
    const entries: [string, unknown][] = isArray ? value.map((item, i) => [String(i), item]) : Object.entries(value);
    for (const [key, item] of entries) {
      const keyReason = isArray ? undefined : textFault(key);
      // The key is quoted with escapes: the message must not carry the very character it refuses.
      if (keyReason) return { field: join(path, JSON.stringify(key)), reason: `(a key) ${keyReason}` };
      const fault = walk(item, join(path, key), depth + 1);
      if (fault) return fault;
    }
    return undefined;
  };
  return walk(input, root, 1);
}
