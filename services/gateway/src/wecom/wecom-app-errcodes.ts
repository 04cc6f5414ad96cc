import { DomainError } from '@atrium/platform';
import { ERRCODE, Errcode } from './wecom-error';

/** The /cgi-bin/ families of apps' messages. */
export type WecomAppApi = 'message' | 'appchat';

const CHAT_FIELDS: Record<string, Errcode> = {
  chatid: ERRCODE.INVALID_CHATID,
  name: ERRCODE.INVALID_CHAT_NAME,
  owner: ERRCODE.INVALID_CHAT_OWNER,
  userids: ERRCODE.INVALID_CHAT_MEMBER_COUNT,
  add_userids: ERRCODE.INVALID_CHAT_MEMBER,
  remove_userids: ERRCODE.INVALID_CHAT_MEMBER,
};

/**
 * What messaging's failures mean to message/* and appchat/* callers. Undefined: the shared mapping
 * (errcodeFor) answers. Failures of the request itself are caught earlier, with WeCom's own
 * errcodes, by the DTOs and toAppContent; these are the ones only messaging can tell.
 */
export function appErrcodeFor(error: DomainError, api: WecomAppApi): Errcode | undefined {
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
