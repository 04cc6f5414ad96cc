import { DomainError, ErrorDetails } from '@atrium/platform';
import { mediaErrcodeFor } from '../media/wecom-media-errcodes';
import { appErrcodeFor, WecomAppApi } from './wecom-app-errcodes';
import { Errcode, ERRCODE } from './wecom-error';

/** Which family of /cgi-bin/ APIs failed: the same field means different things in each. */
export type WecomApi = 'department' | 'user' | WecomAppApi | 'media' | 'other';

const fieldOf = (details: ErrorDetails | undefined) => (typeof details?.field === 'string' ? details.field : undefined);

function validationErrcode(api: WecomApi, field: string | undefined, message: string): Errcode {
  if (api === 'department') {
    if (field === 'id') return ERRCODE.INVALID_DEPARTMENT_ID;
    if (field === 'parent_id') return ERRCODE.INVALID_PARENT_DEPARTMENT_ID;
    if (field === 'name' || field === 'name_en') return ERRCODE.DEPARTMENT_NAME_LENGTH;
    return ERRCODE.INVALID_PARAMETER;
  }
  if (api === 'user') {
    switch (field) {
      case 'userid':
      case 'direct_leader':
        return ERRCODE.INVALID_USERID;
      case 'name':
        return ERRCODE.INVALID_USER_NAME;
      case 'mobile':
        // The directory names `mobile` both for a malformed number and for "neither mobile nor email".
        return /mobile or an email/.test(message) ? ERRCODE.MISSING_MOBILE_AND_EMAIL : ERRCODE.INVALID_MOBILE;
      case 'email':
        return ERRCODE.INVALID_EMAIL;
      case 'department':
      case 'main_department':
        return ERRCODE.INVALID_DEPARTMENT_LIST;
      case 'userids':
        return ERRCODE.INVALID_USERID_LIST_LENGTH;
      default:
        return ERRCODE.INVALID_PARAMETER;
    }
  }
  return ERRCODE.INVALID_PARAMETER;
}

function notFoundErrcode(details: ErrorDetails | undefined): Errcode {
  const field = fieldOf(details);
  if (field === 'parent_id') return ERRCODE.PARENT_DEPARTMENT_NOT_FOUND;
  if (details?.departmentId !== undefined) return ERRCODE.DEPARTMENT_NOT_FOUND;
  if (details?.userid !== undefined) return ERRCODE.USERID_NOT_FOUND;
  if (details?.tagId !== undefined) return ERRCODE.INVALID_TAG_ID;
  return ERRCODE.RECORD_NOT_FOUND;
}

function alreadyExistsErrcode(api: WecomApi, field: string | undefined): Errcode {
  if (field === 'mobile') return ERRCODE.MOBILE_EXISTS;
  if (field === 'email') return ERRCODE.EMAIL_EXISTS;
  if (field === 'userid') return ERRCODE.USERID_EXISTS;
  // A department's id, its name among its siblings, or its name under a new parent.
  if (api === 'department') return ERRCODE.DEPARTMENT_EXISTS;
  return ERRCODE.INVALID_PARAMETER;
}

/** Every code the services can answer with, mapped to the errcode WeCom uses for that failure. */
export function errcodeFor(error: DomainError, api: WecomApi): Errcode {
  const appErrcode = api === 'message' || api === 'appchat' ? appErrcodeFor(error, api) : undefined;
  if (appErrcode !== undefined) return appErrcode;
  const mediaErrcode = api === 'media' ? mediaErrcodeFor(error) : undefined;
  if (mediaErrcode !== undefined) return mediaErrcode;
  switch (error.code) {
    case 'VALIDATION_FAILED':
      return validationErrcode(api, fieldOf(error.details), error.message);
    case 'UNAUTHENTICATED':
    case 'REFRESH_TOKEN_REUSED':
      return ERRCODE.INVALID_ACCESS_TOKEN;
    case 'TOKEN_EXPIRED':
      return ERRCODE.ACCESS_TOKEN_EXPIRED;
    case 'INVALID_CREDENTIALS':
      return ERRCODE.INVALID_SECRET;
    case 'CORP_NOT_FOUND':
      return ERRCODE.INVALID_CORPID;
    case 'ACCOUNT_DISABLED':
    case 'FORBIDDEN':
      return ERRCODE.NO_PRIVILEGE;
    case 'NOT_FOUND':
      return notFoundErrcode(error.details);
    case 'ALREADY_EXISTS':
      return alreadyExistsErrcode(api, fieldOf(error.details));
    case 'CONFLICT':
      return ERRCODE.VERSION_CONFLICT;
    case 'PRECONDITION_FAILED':
      // The only precondition the department APIs can break: deleting the root.
      return api === 'department' ? ERRCODE.ROOT_DEPARTMENT_UNDELETABLE : ERRCODE.INVALID_PARAMETER;
    case 'DEPARTMENT_NOT_EMPTY':
      return error.details?.reason === 'MEMBERS' ? ERRCODE.DEPARTMENT_HAS_MEMBERS : ERRCODE.DEPARTMENT_HAS_CHILDREN;
    case 'DEPARTMENT_CYCLE':
      return ERRCODE.DEPARTMENT_CYCLE;
    case 'DEPARTMENT_TOO_DEEP':
      return ERRCODE.DEPARTMENT_TOO_DEEP;
    case 'LIMIT_EXCEEDED':
      return ERRCODE.DEPARTMENT_LIMIT;
    case 'PAYLOAD_TOO_LARGE':
      return ERRCODE.INVALID_FILE_SIZE;
    case 'MEMBER_OFFBOARDED':
      // WeCom removes a member who left; to an integration they no longer exist.
      return ERRCODE.USERID_NOT_FOUND;
    case 'RATE_LIMITED':
      return ERRCODE.API_RATE_LIMITED;
    case 'UNAVAILABLE':
    case 'INTERNAL':
      return ERRCODE.BUSY;
    default: {
      const unhandled: never = error.code;
      throw new Error(`no WeCom errcode for error code ${String(unhandled)}`);
    }
  }
}
