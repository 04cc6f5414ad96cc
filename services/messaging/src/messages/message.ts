import { MESSAGE_TYPES } from '@atrium/contracts';

export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface Message {
  corpId: string;
  conversationId: string;
  seq: number;
  id: string;
  sender: string;
  clientMsgId: string;
  type: MessageType;
  content: Record<string, unknown>;
  sentAt: Date;
  recalledAt: Date | null;
  recalledBy: string | null;
}
