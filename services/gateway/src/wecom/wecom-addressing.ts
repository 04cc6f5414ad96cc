import { Addressing, Audience } from '../apps/app-audience';
import { INT32_MAX, USERID } from './dto/wecom-fields';
import { ERRCODE, WecomError } from './wecom-error';

/** WeCom's bounds of one message/send. */
export const MAX_TOUSER = 1_000;
export const MAX_TOPARTY = 100;
export const MAX_TOTAG = 100;

/** A send's addressing, and the parts that are not even well-formed ids (reported invalid as given). */
export interface ParsedAddressing {
  addressing: Addressing;
  malformed: { userids: string[]; departmentIds: string[]; tagIds: string[] };
}

const split = (value: string | undefined) => [
  ...new Set(
    (value ?? '')
      .split('|')
      .map((part) => part.trim())
      .filter(Boolean),
  ),
];

function ids(parts: string[]): { valid: number[]; malformed: string[] } {
  const valid: number[] = [];
  const malformed: string[] = [];
  for (const part of parts) {
    const id = /^\d{1,10}$/.test(part) ? Number(part) : NaN;
    if (id >= 1 && id <= INT32_MAX) valid.push(id);
    else malformed.push(part);
  }
  return { valid: [...new Set(valid)], malformed };
}

/** touser / toparty / totag of message/send: "|"-separated, or touser "@all" (then the others are ignored). */
export function parseAddressing(body: { touser?: string; toparty?: string; totag?: string }): ParsedAddressing {
  const none = { userids: [], departmentIds: [], tagIds: [] };
  if (body.touser?.trim() === '@all') return { addressing: { all: true, ...none }, malformed: none };
  const users = [...new Set(split(body.touser).map((u) => u.toLowerCase()))];
  const parties = split(body.toparty);
  const tags = split(body.totag);
  if (users.length + parties.length + tags.length === 0)
    throw new WecomError(ERRCODE.NO_RECIPIENTS, 'touser, toparty and totag are all empty');
  if (users.length > MAX_TOUSER) throw new WecomError(ERRCODE.INVALID_USERID_LIST_LENGTH, `touser names at most ${MAX_TOUSER} members`);
  if (parties.length > MAX_TOPARTY)
    throw new WecomError(ERRCODE.INVALID_PARTY_LIST_LENGTH, `toparty names at most ${MAX_TOPARTY} departments`);
  if (tags.length > MAX_TOTAG) throw new WecomError(ERRCODE.INVALID_TAG_LIST_LENGTH, `totag names at most ${MAX_TOTAG} tags`);
  const departments = ids(parties);
  const tagIds = ids(tags);
  return {
    addressing: {
      all: false,
      userids: users.filter((u) => USERID.test(u)),
      departmentIds: departments.valid,
      tagIds: tagIds.valid,
    },
    malformed: { userids: users.filter((u) => !USERID.test(u)), departmentIds: departments.malformed, tagIds: tagIds.malformed },
  };
}

/** WeCom's invaliduser / invalidparty / invalidtag: "|"-joined, userids lower-case. */
export function invalidParts(
  parsed: ParsedAddressing,
  audience: Audience,
): { invaliduser: string; invalidparty: string; invalidtag: string } {
  return {
    invaliduser: [...parsed.malformed.userids, ...audience.invalidUserids].join('|'),
    invalidparty: [...parsed.malformed.departmentIds, ...audience.invalidDepartmentIds.map(String)].join('|'),
    invalidtag: [...parsed.malformed.tagIds, ...audience.invalidTagIds.map(String)].join('|'),
  };
}
