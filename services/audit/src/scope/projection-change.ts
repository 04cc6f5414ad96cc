import {
  ConversationCreated,
  ConversationMembersChanged,
  DepartmentCreated,
  DepartmentDeleted,
  DepartmentMoved,
  DepartmentUpdated,
  EventEnvelope,
  EventPayload,
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
  const payload = envelope.payload;
  switch (envelope.type) {
    case DepartmentCreated.type:
    case DepartmentUpdated.type: {
      const { department } = payload as EventPayload<typeof DepartmentCreated>;
      return { kind: 'department', departmentId: department.id, path: department.path };
    }
    case DepartmentMoved.type: {
      const { department } = payload as EventPayload<typeof DepartmentMoved>;
      return { kind: 'department_moved', departmentId: department.id, path: department.path };
    }
    case DepartmentDeleted.type:
      return { kind: 'department_deleted', departmentId: (payload as EventPayload<typeof DepartmentDeleted>).departmentId };
    case MemberCreated.type:
    case MemberUpdated.type: {
      const { member } = payload as EventPayload<typeof MemberCreated>;
      return { kind: 'member', userid: member.userid, departmentIds: member.departments };
    }
    case MemberDeleted.type:
      return { kind: 'member_deleted', userid: (payload as EventPayload<typeof MemberDeleted>).userid };
    case ConversationCreated.type: {
      const created = payload as EventPayload<typeof ConversationCreated>;
      return {
        kind: 'conversation',
        conversationId: created.conversationId,
        conversationKind: created.kind,
        members: [...new Set([...created.members, created.owner])],
      };
    }
    case ConversationMembersChanged.type: {
      const changed = payload as EventPayload<typeof ConversationMembersChanged>;
      return { kind: 'roster', conversationId: changed.conversationId, added: changed.added, removed: changed.removed };
    }
    default:
      return null;
  }
}
