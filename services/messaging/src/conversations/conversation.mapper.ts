import { messagingV1 } from '@atrium/contracts';
import { ConversationMember, ConversationView } from './conversation';

export function toConversationMessage(c: ConversationView): messagingV1.Conversation {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    owner: c.owner,
    notice: c.notice,
    adminOnly: c.adminOnly,
    whoMayAdd: c.whoMayAdd,
    memberCount: c.memberCount,
    lastSeq: c.lastSeq,
    lastActivityAt: c.lastActivityAt.toISOString(),
    dissolved: c.dissolved,
    readSeq: c.me.readSeq,
    unreadCount: Math.max(0, c.lastSeq - c.me.readSeq),
    pinned: c.me.pinned,
    notificationsMuted: c.me.notificationsMuted,
    myRole: c.me.role,
    maxMembers: c.maxMembers,
    departmentId: c.departmentId ?? 0,
    departmentSubtree: c.departmentSubtree ?? false,
  };
}

export function toMemberMessage(m: ConversationMember): messagingV1.ConversationMember {
  return { userid: m.userid, role: m.role, readSeq: m.readSeq, mutedUntil: m.mutedUntil?.toISOString() ?? '', joinedSeq: m.joinedSeq };
}
