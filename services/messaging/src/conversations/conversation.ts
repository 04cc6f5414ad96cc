/** `app`: one app (the owner, `app:<agentid>`) and one member; only the app posts. */
export type ConversationKind = 'direct' | 'group' | 'app';
export type MemberRole = 'owner' | 'admin' | 'member';

export interface Conversation {
  corpId: string;
  id: string;
  kind: ConversationKind;
  name: string;
  owner: string;
  notice: string;
  adminOnly: boolean;
  whoMayAdd: 'all' | 'admins';
  maxMembers: number;
  lastSeq: number;
  lastActivityAt: Date;
  dissolved: boolean;
  memberCount: number;
  /** A department group: members follow this directory department (and its subtree when set). */
  departmentId?: number | null;
  departmentSubtree?: boolean;
}

export interface ConversationMember {
  userid: string;
  role: MemberRole;
  joinedSeq: number;
  readSeq: number;
  mutedUntil: Date | null;
  pinned: boolean;
  notificationsMuted: boolean;
}

/** A conversation as one member sees it. */
export interface ConversationView extends Conversation {
  me: ConversationMember;
}
