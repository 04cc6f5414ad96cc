/**
 * Every `details.reason` a service may attach to a refusal, one spelling each. Clients branch on
 * these (the gateway maps some to WeCom errcodes), so a reason is part of the API: the services
 * throw them, the gateway reads them, and both are checked against this list by the compiler.
 * The error code says what kind of refusal it is; the reason says which rule refused.
 */
export const REFUSAL_REASONS = [
  // The conversation (a group or an app chat) was dissolved: nothing more happens in it.
  'DISSOLVED',
  // A department still has members / child departments (DEPARTMENT_NOT_EMPTY).
  'MEMBERS',
  'CHILDREN',
  // The caller is not an app (an app-only operation), or posts into an app's conversation.
  'NOT_AN_APP',
  'APP_CONVERSATION',
  // A client_msg_id already used for a different message.
  'CLIENT_MSG_ID_REUSED',
  // Text that PostgreSQL cannot store (NUL, an unpaired surrogate).
  'UNSTORABLE_TEXT',
  // Media uploads: no file part, an empty file, an unreadable body, a blocked file extension,
  // content that is not what its type claims, an executable program; the media store is full.
  'MISSING',
  'EMPTY',
  'MALFORMED',
  'BLOCKED_EXTENSION',
  'CONTENT_MISMATCH',
  'EXECUTABLE',
  'STORAGE_FULL',
  // Burn-after-reading is for direct chats; a department group's members follow the department.
  'BURN_AFTER_READING_DIRECT_ONLY',
  'DEPARTMENT_GROUP',
  // What cannot be forwarded.
  'RECALLED',
  'BURN_AFTER_READING',
  'EXPIRED',
  'SYSTEM_MESSAGE',
  // Cards: who may answer or update one, and in which state.
  'NOT_AN_ATTENDEE',
  'NOT_THE_SENDER',
  'NOT_AN_ASSIGNEE',
  'NOT_THE_SENDING_APP',
  'NOT_A_CARD',
  'WRONG_CARD_TYPE',
  'CARD_GONE',
  'CARD_BUTTONS_CLOSED',
  'ALREADY_CLICKED',
  'RESPONSE_CODE_INVALID',
  'RESPONSE_CODE_USED',
  'RESPONSE_CODE_EXPIRED',
  // An app's callback URL: malformed, pointing somewhere it may not, or failing the URL check.
  'CALLBACK_URL_INVALID',
  'CALLBACK_URL_NOT_ALLOWED',
  'CALLBACK_URL_CHECK_FAILED',
  // Compliance: a compliance officer must be an active member; holds are for corp-wide officers;
  // the pull API needs archiving switched on and a registered public key.
  'MEMBER_NOT_ACTIVE',
  'OFFICER_SCOPED_TO_DEPARTMENTS',
  'ARCHIVING_DISABLED',
  'NO_PUBLIC_KEY',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const KNOWN: ReadonlySet<string> = new Set(REFUSAL_REASONS);

export function isRefusalReason(value: unknown): value is RefusalReason {
  return typeof value === 'string' && KNOWN.has(value);
}

/** The reason of an error's details, when it carries one this list knows. */
export function refusalReasonOf(error: { details?: { reason?: unknown } }): RefusalReason | undefined {
  const reason = error.details?.reason;
  return isRefusalReason(reason) ? reason : undefined;
}
