import { assertStorableText, ValidationError } from '@atrium/platform';

const FORBIDDEN_CHARACTERS = /[\\:*?"<>|]/;

export function validateDepartmentName(name: string, field = 'name'): string {
  assertStorableText(name, field);
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 64) throw new ValidationError(`${field} must be 1-64 characters`, { field });
  if (FORBIDDEN_CHARACTERS.test(trimmed)) throw new ValidationError(`${field} must not contain any of \\ : * ? " < > |`, { field });
  return trimmed;
}

export function validateDepartmentNameEn(name: string): string {
  assertStorableText(name, 'name_en');
  const trimmed = name.trim();
  if (trimmed.length > 64) throw new ValidationError('name_en must be at most 64 characters', { field: 'name_en' });
  if (FORBIDDEN_CHARACTERS.test(trimmed))
    throw new ValidationError('name_en must not contain any of \\ : * ? " < > |', { field: 'name_en' });
  return trimmed;
}

export function validateDepartmentId(id: number, field = 'id'): number {
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647)
    throw new ValidationError(`${field} must be a positive 32-bit integer`, { field });
  return id;
}

export function validateOrder(order: number): number {
  if (!Number.isInteger(order) || order < 0 || order > 4_294_967_295)
    throw new ValidationError('order must be an integer from 0 to 2^32-1', { field: 'order' });
  return order;
}
