import { ValidationError } from '@atrium/platform';
import { ExtAttr } from '../members/member';
import { validateText } from '../members/member-rules';
import { ATTRIBUTE_TYPES, AttributeType, ExtAttrInput, MemberAttribute } from './member-attribute';

export const MAX_ATTRIBUTES_PER_CORP = 100;
const NAME_MAX = 32;
// WeCom's limits for 扩展属性: a text value of 64 characters; a URL as long as a URL gets.
const TEXT_MAX = 64;
const URL_MAX = 1024;
const TITLE_MAX = 32;
const ORDER_MAX = 4_294_967_295;

export function validateAttributeName(name: string, field = 'name'): string {
  return validateText(name, field, NAME_MAX, true);
}

export function validateAttributeType(type: string): AttributeType {
  if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type))
    throw new ValidationError(`type must be one of ${ATTRIBUTE_TYPES.join(', ')}`, { field: 'type' });
  return type as AttributeType;
}

export function validateAttributeOrder(order: number): number {
  if (!Number.isInteger(order) || order < 0 || order > ORDER_MAX)
    throw new ValidationError(`order must be an integer 0-${ORDER_MAX}`, { field: 'order' });
  return order;
}

function isWebUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}

/**
 * A member's attribute values, checked against the corp's definitions: each names a defined
 * attribute (case-insensitively; stored as the corp spells it) at most once, has its type, and a
 * value that fits it. An empty value clears the attribute, so it is not kept.
 */
export function validateAttributeValues(values: ExtAttrInput[], definitions: MemberAttribute[]): ExtAttr[] {
  const byName = new Map(definitions.map((d) => [d.name.toLowerCase(), d]));
  const seen = new Set<string>();
  const kept: ExtAttr[] = [];
  values.forEach((input, i) => {
    const field = `extattrs[${i}]`;
    const name = validateAttributeName(input.name, `${field}.name`);
    const definition = byName.get(name.toLowerCase());
    if (!definition) {
      throw new ValidationError(`custom attribute "${name}" is not defined in this corp`, { field: `${field}.name`, attribute: name });
    }
    const details = { attribute: definition.name };
    if (seen.has(definition.name)) {
      throw new ValidationError(`custom attribute "${definition.name}" is given twice`, { field: `${field}.name`, ...details });
    }
    seen.add(definition.name);
    if (input.type && input.type !== definition.type) {
      throw new ValidationError(`custom attribute "${definition.name}" holds ${definition.type}, not ${input.type}`, {
        field: `${field}.type`,
        ...details,
      });
    }
    const value = validateText(input.value, `${field}.value`, definition.type === 'url' ? URL_MAX : TEXT_MAX);
    if (definition.type === 'url' && value && !isWebUrl(value)) {
      throw new ValidationError(`custom attribute "${definition.name}" must be an http(s) URL`, { field: `${field}.value`, ...details });
    }
    const title = definition.type === 'url' ? validateText(input.title ?? '', `${field}.title`, TITLE_MAX) : '';
    if (value) kept.push({ name: definition.name, type: definition.type, value, title });
  });
  return kept;
}
