import { z } from 'zod';
import { defineEvent } from './event-definition';
import { TOPICS } from './topics';

export const CorpCreated = defineEvent({
  type: 'directory.corp.created',
  version: 1,
  topic: TOPICS.directory,
  key: (p) => p.corpId,
  schema: z.object({
    corpId: z.string().min(1),
    code: z.string().min(1),
    name: z.string().min(1),
    adminUserId: z.string().min(1),
  }),
});

export const MemberAuthenticated = defineEvent({
  type: 'directory.member.authenticated',
  version: 1,
  topic: TOPICS.directory,
  key: (p) => `${p.corpId}:${p.userId}`,
  schema: z.object({
    corpId: z.string().min(1),
    userId: z.string().min(1),
    clientIp: z.string().optional(),
  }),
});

const actor = z.string().min(1);
const departmentSnapshot = z.object({
  id: z.number().int(),
  parentId: z.number().int(),
  name: z.string(),
  nameEn: z.string(),
  order: z.number(),
  path: z.array(z.number().int()),
  leaders: z.array(z.string()),
});

const departmentKey = (p: { corpId: string }) => `${p.corpId}:departments`;

export const DepartmentCreated = defineEvent({
  type: 'directory.department.created',
  version: 1,
  topic: TOPICS.directory,
  // All tree changes of a corp share a key: consumers replay them in order.
  key: departmentKey,
  schema: z.object({ corpId: z.string(), actor, department: departmentSnapshot }),
});

export const DepartmentUpdated = defineEvent({
  type: 'directory.department.updated',
  version: 1,
  topic: TOPICS.directory,
  key: departmentKey,
  schema: z.object({ corpId: z.string(), actor, department: departmentSnapshot }),
});

export const DepartmentMoved = defineEvent({
  type: 'directory.department.moved',
  version: 1,
  topic: TOPICS.directory,
  key: departmentKey,
  schema: z.object({ corpId: z.string(), actor, department: departmentSnapshot, fromParentId: z.number().int() }),
});

export const DepartmentDeleted = defineEvent({
  type: 'directory.department.deleted',
  version: 1,
  topic: TOPICS.directory,
  key: departmentKey,
  schema: z.object({ corpId: z.string(), actor, departmentId: z.number().int() }),
});

const memberSnapshot = z.object({
  userid: z.string(),
  name: z.string(),
  status: z.enum(['active', 'disabled', 'offboarded']),
  departments: z.array(z.number().int()),
  mainDepartment: z.number().int(),
  directLeaders: z.array(z.string()),
});

const memberKey = (p: { corpId: string; member?: { userid: string }; userid?: string }) =>
  `${p.corpId}:${p.member?.userid ?? p.userid ?? ''}`;

export const MemberCreated = defineEvent({
  type: 'directory.member.created',
  version: 1,
  topic: TOPICS.directory,
  key: memberKey,
  schema: z.object({ corpId: z.string(), actor, member: memberSnapshot }),
});

export const MemberUpdated = defineEvent({
  type: 'directory.member.updated',
  version: 1,
  topic: TOPICS.directory,
  key: memberKey,
  schema: z.object({ corpId: z.string(), actor, member: memberSnapshot, changed: z.array(z.string()) }),
});

export const MemberDisabled = defineEvent({
  type: 'directory.member.disabled',
  version: 1,
  topic: TOPICS.directory,
  key: memberKey,
  schema: z.object({ corpId: z.string(), actor, userid: z.string() }),
});

export const MemberEnabled = defineEvent({
  type: 'directory.member.enabled',
  version: 1,
  topic: TOPICS.directory,
  key: memberKey,
  schema: z.object({ corpId: z.string(), actor, userid: z.string() }),
});

export const MemberDeleted = defineEvent({
  type: 'directory.member.deleted',
  version: 1,
  topic: TOPICS.directory,
  key: memberKey,
  schema: z.object({ corpId: z.string(), actor, userid: z.string() }),
});

/** Every service that owns something of the member hands it to the successor on this event. */
export const MemberOffboarded = defineEvent({
  type: 'directory.member.offboarded',
  version: 1,
  topic: TOPICS.directory,
  key: memberKey,
  schema: z.object({ corpId: z.string(), actor, userid: z.string(), successorUserid: z.string() }),
});

export const TagChanged = defineEvent({
  type: 'directory.tag.changed',
  version: 1,
  topic: TOPICS.directory,
  key: (p) => `${p.corpId}:tags`,
  schema: z.object({
    corpId: z.string(),
    actor,
    tag: z.object({ id: z.number().int(), name: z.string(), userids: z.array(z.string()), departmentIds: z.array(z.number().int()) }),
  }),
});

export const AdminScopeChanged = defineEvent({
  type: 'directory.admin_scope.changed',
  version: 1,
  topic: TOPICS.directory,
  key: (p) => `${p.corpId}:admins`,
  schema: z.object({
    corpId: z.string(),
    actor,
    userid: z.string(),
    // null when the scope was removed.
    scope: z
      .object({ role: z.enum(['super_admin', 'sub_admin']), departmentIds: z.array(z.number().int()), permissions: z.array(z.string()) })
      .nullable(),
  }),
});

/** Every event the directory publishes (the audit archive consumes them all). */
export const DIRECTORY_EVENTS = [
  CorpCreated,
  MemberAuthenticated,
  DepartmentCreated,
  DepartmentUpdated,
  DepartmentMoved,
  DepartmentDeleted,
  MemberCreated,
  MemberUpdated,
  MemberDisabled,
  MemberEnabled,
  MemberDeleted,
  MemberOffboarded,
  TagChanged,
  AdminScopeChanged,
] as const;
