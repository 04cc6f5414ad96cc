/**
 * Realtime fan-out contract between messaging (publisher) and the gateway replicas (subscribers).
 * One channel per conversation: a replica subscribes to the conversations of the users whose
 * sockets it holds, so a message is published once whatever the group size, and each replica
 * fans it out to its own sockets. Membership changes also go to each affected user's channel so
 * replicas learn about conversations a connected user joins or leaves. `resync` reaches every
 * replica: pushes were lost (a publish failed), so every socket is told to sync from its cursors.
 */
export const realtimeChannels = {
  conversation: (corpId: string, conversationId: string) => `rt.conv.${corpId}.${conversationId}`,
  user: (corpId: string, userid: string) => `rt.user.${corpId}.${userid}`,
  resync: () => 'rt.resync',
};

export type RealtimeEvent =
  | { kind: 'message'; conversationId: string; message: Record<string, unknown> }
  | { kind: 'recall'; conversationId: string; seq: number; recalledBy: string }
  | { kind: 'read'; conversationId: string; userid: string; seq: number }
  | { kind: 'conversation'; conversationId: string; change: string; data: Record<string, unknown> }
  | { kind: 'membership'; conversationId: string; joined: boolean }
  /**
   * A card's state changed: `state` is the card as every viewer sees it; `userids` (with
   * `override`) name the viewers an app's targeted update applies to. Clients order by `version`.
   */
  | {
      kind: 'card';
      conversationId: string;
      seq: number;
      change: string;
      actor: string;
      version: number;
      state: Record<string, unknown>;
      userids?: string[];
      override?: Record<string, unknown> | null;
    }
  /**
   * Burn after reading: drop the content of these messages. `reader` goes to the recipient's own
   * channel once they read them (the sender keeps them); `everyone` when the TTL purged them.
   */
  | { kind: 'burn'; conversationId: string; seqs: number[]; scope: 'reader' | 'everyone' }
  /** On a user channel: the member's sessions are revoked (offboarded, disabled); sockets close. */
  | { kind: 'revoked'; reason: string }
  /** Pushes may have been lost: the client syncs every conversation from its cursor. */
  | { kind: 'resync'; reason: string };

export type ConversationRealtimeEvent = Extract<RealtimeEvent, { conversationId: string }>;
