import { DomainError } from '@atrium/platform';
import { Conversation } from '../conversations/conversation';

/** A department group's members follow the directory: nobody joins, leaves or is removed by hand. */
export function assertManualMembership(conversation: Conversation): void {
  if (!conversation.departmentId) return;
  throw new DomainError(
    'PRECONDITION_FAILED',
    `this is a department group: its members follow department ${conversation.departmentId} in the directory and cannot join, leave or be removed by hand`,
    { reason: 'DEPARTMENT_GROUP', departmentId: conversation.departmentId },
  );
}
