import { ValidationError } from '@atrium/platform';

// WeCom's rule: 1-64 characters of letters, digits and _-@.
const USERID = /^[0-9A-Za-z_\-@.]{1,64}$/;

export function validateUserid(userid: string, field = 'userid'): void {
  if (!USERID.test(userid)) {
    throw new ValidationError(`${field} must be 1-64 characters of letters, digits and _-@.`, { field });
  }
}
