import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/** Where `@ApiProperty` keeps its options (`DECORATORS` of @nestjs/swagger, which does not export it). */
const DECORATORS = {
  API_MODEL_PROPERTIES: 'swagger/apiModelProperties',
  API_MODEL_PROPERTIES_ARRAY: 'swagger/apiModelPropertiesArray',
} as const;

/** The JSON Schema keywords a class-validator constraint implies for the value it checks. */
type SchemaKeywords = Record<string, unknown>;

function regexSource(pattern: unknown, modifiers: unknown): string | undefined {
  // A flag such as `i` or `u` changes what the pattern means; JSON Schema's `pattern` has none.
  if (pattern instanceof RegExp) return pattern.flags ? undefined : pattern.source;
  if (typeof pattern === 'string' && !modifiers) return pattern;
  return undefined;
}

/** What one constraint says in JSON Schema, or nothing when JSON Schema cannot say it. */
function keywordsFor(metadata: ValidationMetadata): SchemaKeywords {
  const [first, second] = (metadata.constraints ?? []) as unknown[];
  switch (metadata.name) {
    case 'isInt':
      return { type: 'integer' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isString':
      return { type: 'string' };
    case 'min':
      return { minimum: first };
    case 'max':
      return { maximum: first };
    case 'isLength':
      return { minLength: first, ...(second === undefined ? {} : { maxLength: second }) };
    case 'minLength':
      return { minLength: first };
    case 'maxLength':
      return { maxLength: first };
    case 'arrayMinSize':
      return { minItems: first };
    case 'arrayMaxSize':
      return { maxItems: first };
    case 'arrayNotEmpty':
      return { minItems: 1 };
    case 'arrayUnique':
      return { uniqueItems: true };
    case 'isIn':
      return { enum: first };
    case 'isEnum':
      return { enum: second };
    case 'isUuid':
      return { format: 'uuid' };
    case 'isIso8601':
    case 'isDateString':
      return { format: 'date-time' };
    case 'isUrl':
      return { format: 'uri' };
    case 'isEmail':
      return { format: 'email' };
    case 'matches': {
      const source = regexSource(first, second);
      return source === undefined ? {} : { pattern: source };
    }
    default:
      return {};
  }
}

/** An explicit `@ApiProperty` option wins, except a bare `number` that the validator narrows to an integer. */
function merge(existing: SchemaKeywords, derived: SchemaKeywords): SchemaKeywords {
  const merged = { ...existing };
  for (const [key, value] of Object.entries(derived)) {
    if (value === undefined) continue;
    if (key === 'type') {
      if (value === 'integer' && (existing.type === Number || existing.type === 'number' || existing.type === undefined))
        merged.type = 'integer';
      else if (existing.type === undefined) merged.type = value;
      continue;
    }
    if (merged[key] === undefined) merged[key] = value;
  }
  return merged;
}

function isArrayProperty(existing: SchemaKeywords): boolean {
  return existing.isArray === true || Array.isArray(existing.type) || existing.type === Array || existing.type === 'array';
}

/**
 * The request DTOs are validated by class-validator, but `@ApiProperty` only states what its author
 * wrote down, so the document drifted from what the server accepts (integers typed `number`, no
 * bounds, lengths, patterns or enums, optional fields the validator requires). This copies what
 * each constraint means into the swagger metadata of every property that is documented, so
 * `SwaggerModule.createDocument` publishes the rules the validation pipe enforces. Idempotent.
 */
export function documentValidationRules(): void {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<new () => unknown, ValidationMetadata[]> };
  for (const target of storage.validationMetadatas.keys()) {
    if (typeof target !== 'function') continue;
    const prototype = target.prototype as object;
    const documented = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, prototype) as string[] | undefined) ?? [];
    const all = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const metadata of all) byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
    for (const [property, constraints] of byProperty) {
      if (!documented.includes(`:${property}`)) continue;
      const existing = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, property) as SchemaKeywords | undefined) ?? {};
      const optional = constraints.some((c) => c.type === ValidationTypes.CONDITIONAL_VALIDATION);
      const checksValue = constraints.some((c) => c.type === ValidationTypes.CUSTOM_VALIDATION || c.type === ValidationTypes.IS_DEFINED);
      let own: SchemaKeywords = {};
      let items: SchemaKeywords = {};
      for (const constraint of constraints) {
        if (constraint.type !== ValidationTypes.CUSTOM_VALIDATION) continue;
        if (constraint.each) items = { ...items, ...keywordsFor(constraint) };
        else own = { ...own, ...keywordsFor(constraint) };
      }
      // On an array, `isString`/`isInt` without `each` would be about the array itself: meaningless here.
      if (isArrayProperty(existing)) {
        delete own.type;
        if (Object.keys(items).length > 0) {
          const priorItems = (existing.items as SchemaKeywords | undefined) ?? {};
          const itemType =
            items.type ??
            (existing.type === Number || (Array.isArray(existing.type) && existing.type[0] === Number) ? 'number' : undefined);
          own.items = { ...(itemType ? { type: itemType } : {}), ...merge(priorItems, items) };
        }
      }
      const next = merge(existing, own);
      if (!optional && checksValue) next.required = true;
      // `@IsOptional` lets null through as well as absence.
      if (optional) {
        Object.assign(next, { required: false, nullable: true });
        // OpenAPI 3.0.3: `nullable` does not widen an enum; null must be one of its values.
        if (Array.isArray(next.enum) && !next.enum.includes(null)) next.enum = [...(next.enum as unknown[]), null];
      }
      Reflect.defineMetadata(DECORATORS.API_MODEL_PROPERTIES, next, prototype, property);
    }
  }
}
