import {
  ConversationCreated,
  ConversationMembersChanged,
  DepartmentCreated,
  DepartmentDeleted,
  DepartmentMoved,
  DepartmentUpdated,
  EventEnvelope,
  isEvent,
  MemberCreated,
  MemberDeleted,
  MemberUpdated,
} from '@atrium/contracts';

/**
 * What an event changes in the archive's own picture of who belongs where: the department tree,
 * each member's departments, and who is in each conversation now. Records are stamped from this
 * picture when they are archived (department scopes of compliance officers).
 */
export type ProjectionChange =
  | { kind: 'department'; departmentId: number; path: number[] }
  | { kind: 'department_moved'; departmentId: number; path: number[] }
  | { kind: 'department_deleted'; departmentId: number }
  | { kind: 'member'; userid: string; departmentIds: number[] }
  | { kind: 'member_deleted'; userid: string }
  | { kind: 'conversation'; conversationId: string; conversationKind: string; members: string[] }
  | { kind: 'roster'; conversationId: string; added: string[]; removed: string[] };

/** The change an event makes to the projections, or null for an event that changes none. */
export function projectionChangeOf(envelope: EventEnvelope): ProjectionChange | null {
  if (isEvent(envelope, DepartmentCreated, DepartmentUpdated)) {
    const { department } = envelope.payload;
    return { kind: 'department', departmentId: department.id, path: department.path };
  }
  if (isEvent(envelope, DepartmentMoved)) {
    const { department } = envelope.payload;
    return { kind: 'department_moved', departmentId: department.id, path: department.path };
  }
  if (isEvent(envelope, DepartmentDeleted)) return { kind: 'department_deleted', departmentId: envelope.payload.departmentId };
  if (isEvent(envelope, MemberCreated, MemberUpdated)) {
    const { member } = envelope.payload;
    return { kind: 'member', userid: member.userid, departmentIds: member.departments };
  }
  if (isEvent(envelope, MemberDeleted)) return { kind: 'member_deleted', userid: envelope.payload.userid };
  if (isEvent(envelope, ConversationCreated)) {
    const created = envelope.payload;
    return {
      kind: 'conversation',
      conversationId: created.conversationId,
      conversationKind: created.kind,
      members: [...new Set([...created.members, created.owner])],
    };
  }
  if (isEvent(envelope, ConversationMembersChanged)) {
    const changed = envelope.payload;
    return { kind: 'roster', conversationId: changed.conversationId, added: changed.added, removed: changed.removed };
  }
  return null;
}
