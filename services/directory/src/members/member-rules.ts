import { assertStorableText, ValidationError } from '@atrium/platform';
import { MemberDepartment } from './member';

// WeCom's rule: 1-64 characters of letters, digits and _-@., starting with a letter or digit.
const USERID = /^[0-9A-Za-z][0-9A-Za-z_\-@.]{0,63}$/;
const MOBILE = /^\+?[0-9][0-9 -]{4,30}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
export const MAX_DEPARTMENTS_PER_MEMBER = 100;
export const MAX_DIRECT_LEADERS = 5;

export function validateUserid(userid: string, field = 'userid'): string {
  if (!USERID.test(userid)) {
    throw new ValidationError(`${field} must be 1-64 characters of letters, digits and _-@., starting with a letter or digit`, { field });
  }
  return userid.toLowerCase();
}

export function validateText(value: string, field: string, max: number, required = false): string {
  assertStorableText(value, field);
  const trimmed = value.trim();
  if (required && trimmed.length === 0) throw new ValidationError(`${field} is required`, { field });
  if ([...trimmed].length > max) throw new ValidationError(`${field} must be at most ${max} characters`, { field });
  return trimmed;
}

export function validateMobile(mobile: string): string {
  const trimmed = mobile.trim();
  if (trimmed && !MOBILE.test(trimmed))
    throw new ValidationError('mobile must be a phone number (digits, optional leading +)', { field: 'mobile' });
  return trimmed;
}

export function validateEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed && (!EMAIL.test(trimmed) || trimmed.length > 64))
    throw new ValidationError('email must be a valid address of at most 64 characters', { field: 'email' });
  return trimmed;
}

export function validateGender(gender: number): number {
  if (![0, 1, 2].includes(gender)) throw new ValidationError('gender must be 0 (unset), 1 (male) or 2 (female)', { field: 'gender' });
  return gender;
}

export function validateMemberDepartments(
  departments: MemberDepartment[],
  mainDepartment: number,
): { departments: MemberDepartment[]; mainDepartment: number } {
  if (departments.length === 0) throw new ValidationError('a member belongs to at least one department', { field: 'department' });
  if (departments.length > MAX_DEPARTMENTS_PER_MEMBER) {
    throw new ValidationError(`a member belongs to at most ${MAX_DEPARTMENTS_PER_MEMBER} departments`, { field: 'department' });
  }
  const ids = departments.map((d) => d.departmentId);
  if (new Set(ids).size !== ids.length) throw new ValidationError('department lists a department twice', { field: 'department' });
  const main = mainDepartment || ids[0];
  if (!ids.includes(main))
    throw new ValidationError("main_department must be one of the member's departments", { field: 'main_department' });
  return { departments, mainDepartment: main };
}

export function validatePassword(password: string): string {
  if (password.length < 8 || password.length > 128) throw new ValidationError('password must be 8-128 characters', { field: 'password' });
  return password;
}
