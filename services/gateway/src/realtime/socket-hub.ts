import { ConversationRealtimeEvent, RealtimeEvent, realtimeChannels } from '@atrium/contracts';
import { AppLogger, PubSub } from '@atrium/platform';
import { WebSocket } from 'ws';
import { sendPrebuilt, textFrame } from './prebuilt-frame';

type HubSocket = WebSocket;

export interface SocketOwner {
  corpId: string;
  userId: string;
}

type ConversationLister = (owner: SocketOwner) => Promise<string[]>;

const userKey = (o: SocketOwner) => `${o.corpId}|${o.userId}`;
const conversationKey = (corpId: string, conversationId: string) => `${corpId}|${conversationId}`;

/**
 * The sockets one gateway replica holds, and the pub/sub subscriptions they need: one per
 * connected user (membership changes, revocation) and one per conversation any of them is in.
 * A message is published once per conversation by messaging; every replica with a member of it
 * online receives it once and writes it to that member's sockets — no replica is asked about
 * users it does not hold, and group size does not multiply network traffic.
 */
export class SocketHub {
  private readonly sockets = new Map<string, Set<HubSocket>>();
  private readonly conversationsOfUser = new Map<string, Set<string>>();
  private readonly usersOfConversation = new Map<string, Set<string>>();
  private readonly subscriptions = new Map<string, Promise<() => Promise<void>>>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly listConversations: ConversationLister,
    private readonly logger: AppLogger,
  ) {
    // Our subscriptions were down for a while: every push published meanwhile missed this replica.
    pubsub.onResumed(() => this.resyncAll('realtime delivery to this server was interrupted'));
  }

  /** Listens for the broadcast a publisher sends once it could publish again after failing to. */
  async listenForResync(): Promise<void> {
    await this.subscribe(realtimeChannels.resync(), (raw) => {
      const event = parse(raw);
      if (event?.kind === 'resync') this.resyncAll(event.reason);
    });
  }

  get connectedSockets(): number {
    let n = 0;
    for (const set of this.sockets.values()) n += set.size;
    return n;
  }

  async attach(owner: SocketOwner, socket: HubSocket): Promise<void> {
    const key = userKey(owner);
    let set = this.sockets.get(key);
    const first = !set;
    if (!set) {
      set = new Set();
      this.sockets.set(key, set);
    }
    set.add(socket);
    if (!first) return;
    // Subscribe to the user's channel before listing, so a group joined meanwhile is not missed.
    await this.subscribe(realtimeChannels.user(owner.corpId, owner.userId), (raw) => this.onUserEvent(owner, raw));
    for (const conversationId of await this.listConversations(owner)) await this.join(owner, conversationId);
  }

  async detach(owner: SocketOwner, socket: HubSocket): Promise<void> {
    const key = userKey(owner);
    const set = this.sockets.get(key);
    if (!set?.delete(socket) || set.size > 0) return;
    this.sockets.delete(key);
    for (const conversation of this.conversationsOfUser.get(key) ?? []) await this.leave(owner, conversation.split('|')[1]);
    this.conversationsOfUser.delete(key);
    await this.unsubscribe(realtimeChannels.user(owner.corpId, owner.userId));
  }

  async closeAll(code: number, reason: string): Promise<void> {
    for (const set of this.sockets.values()) for (const socket of set) socket.close(code, reason);
    this.sockets.clear();
    await Promise.all([...this.subscriptions.keys()].map((channel) => this.unsubscribe(channel)));
  }

  /**
   * Pushes may have been lost: each client syncs every conversation from its cursor (`POST
   * /api/v1/sync`). Sent once the subscriptions are active again, so what follows is pushed.
   */
  private resyncAll(reason: string): void {
    const payload = Buffer.from(JSON.stringify({ type: 'resync', reason }), 'utf8');
    const frame = textFrame(payload);
    let sockets = 0;
    for (const set of this.sockets.values())
      for (const socket of set) {
        safeSend(socket, payload, frame);
        sockets++;
      }
    this.logger.warn({ sockets, reason }, 'realtime resync sent to every socket');
  }

  private async join(owner: SocketOwner, conversationId: string): Promise<void> {
    const key = userKey(owner);
    const conv = conversationKey(owner.corpId, conversationId);
    let mine = this.conversationsOfUser.get(key);
    if (!mine) this.conversationsOfUser.set(key, (mine = new Set()));
    mine.add(conv);
    let users = this.usersOfConversation.get(conv);
    if (!users) {
      this.usersOfConversation.set(conv, (users = new Set()));
      await this.subscribe(realtimeChannels.conversation(owner.corpId, conversationId), (raw) => this.onConversationEvent(conv, raw));
    }
    users.add(key);
  }

  private async leave(owner: SocketOwner, conversationId: string): Promise<void> {
    const key = userKey(owner);
    const conv = conversationKey(owner.corpId, conversationId);
    this.conversationsOfUser.get(key)?.delete(conv);
    const users = this.usersOfConversation.get(conv);
    if (!users?.delete(key) || users.size > 0) return;
    this.usersOfConversation.delete(conv);
    await this.unsubscribe(realtimeChannels.conversation(owner.corpId, conversationId));
  }

  private onConversationEvent(conv: string, raw: string): void {
    const event = parse(raw) as ConversationRealtimeEvent | undefined;
    if (!event) return;
    // Encoded and framed once for every recipient on this replica: a 2,000-member group is one
    // encoding and 2,000 writes of the same bytes.
    const payload = Buffer.from(JSON.stringify(toFrame(event)), 'utf8');
    const frame = textFrame(payload);
    for (const user of this.usersOfConversation.get(conv) ?? [])
      for (const socket of this.sockets.get(user) ?? []) safeSend(socket, payload, frame);
  }

  private onUserEvent(owner: SocketOwner, raw: string): void {
    const event = parse(raw);
    if (!event) return;
    const sockets = [...(this.sockets.get(userKey(owner)) ?? [])];
    if (event.kind === 'revoked') {
      for (const socket of sockets) socket.close(4401, event.reason);
      return;
    }
    if (event.kind === 'membership') {
      const change = event.joined ? this.join(owner, event.conversationId) : this.leave(owner, event.conversationId);
      change.catch((error: unknown) => this.logger.warn({ err: error }, 'realtime membership update failed'));
    }
    const payload = Buffer.from(JSON.stringify(toFrame(event)), 'utf8');
    const frame = textFrame(payload);
    for (const socket of sockets) safeSend(socket, payload, frame);
  }

  private async subscribe(channel: string, handler: (raw: string) => void): Promise<void> {
    if (!this.subscriptions.has(channel)) this.subscriptions.set(channel, this.pubsub.subscribe(channel, handler));
    await this.subscriptions.get(channel);
  }

  private async unsubscribe(channel: string): Promise<void> {
    const subscription = this.subscriptions.get(channel);
    this.subscriptions.delete(channel);
    if (subscription) await (await subscription)();
  }
}

function parse(raw: string): RealtimeEvent | undefined {
  try {
    return JSON.parse(raw) as RealtimeEvent;
  } catch {
    return undefined;
  }
}

function safeSend(socket: HubSocket, payload: Buffer, frame: Buffer): void {
  try {
    sendPrebuilt(socket, payload, frame);
  } catch {
    // A socket closing under us: its close handler detaches it.
  }
}

/** Client frames: `{ type, ...fields }`; message content is JSON, not a JSON string. */
export function toFrame(event: RealtimeEvent): Record<string, unknown> {
  const { kind, ...rest } = event;
  if (event.kind === 'message') {
    const { contentJson, ...message } = event.message as { contentJson?: string };
    return {
      type: kind,
      conversationId: event.conversationId,
      message: { ...message, content: contentJson ? (JSON.parse(contentJson) as unknown) : null },
    };
  }
  return { type: kind, ...rest };
}
