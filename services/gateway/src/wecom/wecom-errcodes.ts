import { DomainError, ErrorDetails } from '@atrium/platform';
import { Errcode, ERRCODE } from './wecom-error';

/**
 * The one place that says what the services' failures mean to a WeCom integration: every /cgi-bin/
 * controller's errors reach it through WecomExceptionFilter. Failures of the request itself are
 * caught earlier, with WeCom's own errcodes, by the DTOs (readWecomInput) and the content readers.
 */

/**
 * Which family of /cgi-bin/ APIs failed: the same field means different things in each.
 * `template_card` is message/update_template_card, whose failures are the cards' own first.
 */
export type WecomApi = 'department' | 'user' | 'message' | 'template_card' | 'appchat' | 'media' | 'msgaudit' | 'other';

/** What the integration reads: the errcode, and the errmsg (the service's message unless a mapping words it). */
export interface WecomFailure {
  errcode: Errcode;
  errmsg: string;
}

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

const CHAT_FIELDS: Record<string, Errcode> = {
  chatid: ERRCODE.INVALID_CHATID,
  name: ERRCODE.INVALID_CHAT_NAME,
  owner: ERRCODE.INVALID_CHAT_OWNER,
  userids: ERRCODE.INVALID_CHAT_MEMBER_COUNT,
  add_userids: ERRCODE.INVALID_CHAT_MEMBER,
  remove_userids: ERRCODE.INVALID_CHAT_MEMBER,
};

/** What messaging's failures mean to message/* and appchat/* callers; undefined: the shared mapping answers. */
function appErrcode(error: DomainError, api: 'message' | 'appchat'): Errcode | undefined {
  const field = typeof error.details?.field === 'string' ? error.details.field : '';
  if (field.startsWith('content') && field.includes('mediaId')) return ERRCODE.INVALID_MEDIA_ID;
  if (field === 'agentid') return ERRCODE.INVALID_AGENTID;
  switch (error.code) {
    case 'VALIDATION_FAILED':
      if (field === 'type') return ERRCODE.INVALID_MSGTYPE;
      return api === 'appchat' ? (CHAT_FIELDS[field] ?? ERRCODE.INVALID_PARAMETER) : ERRCODE.INVALID_PARAMETER;
    case 'NOT_FOUND':
      if (api === 'appchat') return field === 'chatid' ? ERRCODE.CHAT_NOT_FOUND : ERRCODE.INVALID_CHAT_MEMBER;
      // An unknown msgid, or another app's.
      return field === 'msgid' ? ERRCODE.INVALID_PARAMETER : undefined;
    case 'FORBIDDEN':
      if (error.details?.reason === 'NOT_AN_APP') return ERRCODE.API_UNAUTHORIZED;
      if (api === 'appchat') return field === 'chatid' ? ERRCODE.CHAT_OF_ANOTHER_APP : ERRCODE.INVALID_CHAT_MEMBER;
      return undefined;
    case 'ALREADY_EXISTS':
      return api === 'appchat' ? ERRCODE.CHATID_EXISTS : undefined;
    case 'LIMIT_EXCEEDED':
      return api === 'appchat' ? ERRCODE.INVALID_CHAT_MEMBER_COUNT : ERRCODE.INVALID_USERID_LIST_LENGTH;
    case 'PRECONDITION_FAILED':
      if (error.details?.reason === 'DISSOLVED') return ERRCODE.CHAT_DISSOLVED;
      // Past the 24 hours of message/recall.
      return field === 'msgid' ? ERRCODE.INVALID_PARAMETER : undefined;
    default:
      return undefined;
  }
}

/** WeCom's errcodes for media/upload and media/get failures; undefined: the general mapping applies. */
function mediaErrcode(error: DomainError): Errcode | undefined {
  const details = error.details ?? {};
  switch (error.code) {
    case 'PAYLOAD_TOO_LARGE':
      return details.type === 'image'
        ? ERRCODE.INVALID_IMAGE_SIZE
        : details.type === 'video'
          ? ERRCODE.INVALID_VIDEO_SIZE
          : ERRCODE.INVALID_FILE_SIZE;
    case 'NOT_FOUND':
      return ERRCODE.INVALID_MEDIA_ID;
    case 'VALIDATION_FAILED':
      if (details.field === 'type') return ERRCODE.INVALID_MEDIA_TYPE;
      if (details.reason === 'MISSING' || details.reason === 'EMPTY') return ERRCODE.EMPTY_MEDIA;
      if (details.reason === 'MALFORMED') return ERRCODE.DATA_FORMAT_ERROR;
      if (details.field === 'media') return ERRCODE.INVALID_MEDIA_FILE_TYPE;
      return undefined;
    default:
      return undefined;
  }
}

/**
 * How the card errors of messaging read to a WeCom integration. The stored copies of WeCom's
 * error-code list name no dedicated numbers for a response_code, so an unknown, spent or expired
 * code is 40058 (不合法的参数) with an errmsg saying which.
 */
function cardFailure(error: DomainError): WecomFailure | undefined {
  switch (error.details?.reason) {
    case 'RESPONSE_CODE_INVALID':
      return { errcode: ERRCODE.INVALID_PARAMETER, errmsg: 'invalid response_code' };
    case 'RESPONSE_CODE_USED':
      return { errcode: ERRCODE.INVALID_PARAMETER, errmsg: 'response_code has been used' };
    case 'RESPONSE_CODE_EXPIRED':
      return { errcode: ERRCODE.INVALID_PARAMETER, errmsg: 'response_code expired (72 hours)' };
    case 'CARD_GONE':
      return { errcode: ERRCODE.INVALID_PARAMETER, errmsg: 'the card was recalled or its group dissolved' };
    default:
      return error.code === 'NOT_FOUND' && error.details?.field === 'userids'
        ? { errcode: ERRCODE.ALL_RECIPIENTS_INVALID, errmsg: 'all userids are invalid or not in the card’s conversation' }
        : undefined;
  }
}

/** The archive pull (msgaudit) refused because the corp has not enabled it: WeCom's "api forbidden". */
function msgauditErrcode(error: DomainError): Errcode | undefined {
  const reason = error.details?.reason;
  return reason === 'ARCHIVING_DISABLED' || reason === 'NO_PUBLIC_KEY' ? ERRCODE.API_UNAUTHORIZED : undefined;
}

/** The errcode and errmsg a /cgi-bin/ caller gets for a service's failure. */
export function wecomFailureFor(error: DomainError, api: WecomApi): WecomFailure {
  const card = api === 'template_card' ? cardFailure(error) : undefined;
  return card ?? { errcode: errcodeFor(error, api), errmsg: error.message };
}

/** Every code the services can answer with, mapped to the errcode WeCom uses for that failure. */
export function errcodeFor(error: DomainError, api: WecomApi): Errcode {
  const specific =
    api === 'message' || api === 'appchat' || api === 'template_card'
      ? appErrcode(error, api === 'appchat' ? 'appchat' : 'message')
      : api === 'media'
        ? mediaErrcode(error)
        : api === 'msgaudit'
          ? msgauditErrcode(error)
          : undefined;
  if (specific !== undefined) return specific;
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
