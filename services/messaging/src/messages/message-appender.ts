import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventDefinition, MessageSent } from '@atrium/contracts';
import { EVENT_BUS, EventBus, outboxRowsStatement, runCombined, SqlStatement, Tx } from '@atrium/platform';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { MediaService } from '../media/media.service';
import { ForwardedFrom, Message, MessageType } from './message';
import { messageSnapshot } from './message-snapshot';
import { MessagesRepository } from './messages.repository';

/** A conversation whose row the transaction holds locked, with the last seq read under that lock. */
export interface ConversationEnd {
  corpId: string;
  conversationId: string;
  lastSeq: number;
}

export interface AppendOptions {
  /** The sender is a member, whose read cursor passes what they wrote (default). An app is no member. */
  senderIsMember?: boolean;
  /** Announce the message as `messaging.message.sent` (default); an app's send announces its deliveries in its own events. */
  sentEvent?: boolean;
}

/** A message the server composes (a forward, a screenshot notice) rather than a client. */
export interface MessageDraft {
  sender: string;
  clientMsgId: string;
  type: MessageType;
  content: Record<string, unknown>;
  forwardedFrom?: ForwardedFrom | null;
}

type Cursor = { corpId: string; conversationId: string; userid: string; seq: number };
type PreparedEvent = (bus: EventBus) => SqlStatement;

const conversationKey = (corpId: string, conversationId: string) => `${corpId}\n${conversationId}`;

/**
 * The messages one transaction appends. Sequence numbers are handed out here and nowhere else:
 * each message takes the seq after the last one of its conversation (read under the row lock, then
 * the previous message of this append), so a conversation's seqs run 1..N without gap or repeat.
 */
export class Append {
  private readonly ends = new Map<string, ConversationEnd>();
  private readonly moved = new Set<string>();
  private readonly cursors = new Map<string, Cursor>();
  private readonly events: PreparedEvent[] = [];
  private readonly messages: Message[] = [];

  constructor(ends: Iterable<ConversationEnd>) {
    for (const end of ends) {
      const key = conversationKey(end.corpId, end.conversationId);
      if (!this.ends.has(key)) this.ends.set(key, { ...end });
    }
  }

  /** The seq the next message of the conversation takes. */
  nextSeq(corpId: string, conversationId: string): number {
    return this.endOf(corpId, conversationId).lastSeq + 1;
  }

  /** Where this append moves a member's read cursor in the conversation, if it moves it at all. */
  cursorOf(corpId: string, conversationId: string, userid: string): number | undefined {
    return this.cursors.get(`${conversationKey(corpId, conversationId)}\n${userid}`)?.seq;
  }

  /** Adds a message at its conversation's next seq (`nextSeq`); any other seq is a bug and throws. */
  add(message: Message, options: AppendOptions = {}): void {
    const key = conversationKey(message.corpId, message.conversationId);
    const end = this.endOf(message.corpId, message.conversationId);
    if (message.seq !== end.lastSeq + 1)
      throw new Error(`message seq ${message.seq} does not follow ${end.lastSeq} in conversation ${message.conversationId}`);
    end.lastSeq = message.seq;
    this.moved.add(key);
    this.messages.push(message);
    // The sender has read what they wrote.
    if (options.senderIsMember ?? true)
      this.cursors.set(`${key}\n${message.sender}`, {
        corpId: message.corpId,
        conversationId: message.conversationId,
        userid: message.sender,
        seq: message.seq,
      });
    if (options.sentEvent ?? true)
      this.event(MessageSent, message.corpId, {
        corpId: message.corpId,
        conversationId: message.conversationId,
        message: messageSnapshot(message),
      });
  }

  /** An event written to the outbox with the messages, in the order it was added. */
  event<T>(definition: EventDefinition<T>, corpId: string, payload: T): void {
    this.events.push((bus) => bus.prepare(definition, corpId, payload).statement);
  }

  /** What the append holds, for the appender to write: each moved conversation's new end, the messages, cursors and events. */
  contents(): { ends: ConversationEnd[]; messages: Message[]; cursors: Cursor[]; events: PreparedEvent[] } {
    return {
      ends: [...this.moved].map((key) => this.ends.get(key)!),
      messages: this.messages,
      cursors: [...this.cursors.values()],
      events: this.events,
    };
  }

  private endOf(corpId: string, conversationId: string): ConversationEnd {
    const end = this.ends.get(conversationKey(corpId, conversationId));
    if (!end) throw new Error(`conversation ${conversationId} is not locked for this append`);
    return end;
  }
}

/**
 * The one way a message is stored, whoever sends it (a member, on a member's behalf, an app, the
 * server): in the caller's transaction, under the conversation locks the caller holds, the
 * conversation's sequence moves on, the message row is written, the sender's read cursor passes
 * it and its events go to the outbox — all in one statement, so they commit or vanish together.
 */
@Injectable()
export class MessageAppender {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly media: MediaService,
  ) {}

  /** An append at the ends of conversations the transaction holds locked. */
  begin(ends: Iterable<ConversationEnd>): Append {
    return new Append(ends);
  }

  /**
   * Adds a server-composed message (a screenshot notice, a forward) like a sent one: the next seq,
   * and the media it names become references in the conversation, checked against what the sender
   * may read (each item of a chat record too).
   */
  async compose(tx: Tx, append: Append, corpId: string, conversationId: string, draft: MessageDraft): Promise<Message> {
    const seq = append.nextSeq(corpId, conversationId);
    const items = draft.type === 'chat_record' ? (draft.content.items as { type: string; content: Record<string, unknown> }[]) : [draft];
    for (const item of items)
      await this.media.attach(tx, corpId, draft.sender, { conversationId, seq, type: item.type, content: item.content });
    const message: Message = {
      corpId,
      conversationId,
      seq,
      id: randomUUID(),
      sender: draft.sender,
      clientMsgId: draft.clientMsgId,
      type: draft.type,
      content: draft.content,
      sentAt: new Date(),
      recalledAt: null,
      recalledBy: null,
      forwardedFrom: draft.forwardedFrom ?? null,
    };
    append.add(message);
    return message;
  }

  /** Stores what the append holds. Run it once, after the last `add`. */
  async write(tx: Tx, append: Append): Promise<void> {
    const { ends, messages, cursors, events } = append.contents();
    const statements: SqlStatement[] = [];
    if (messages.length > 0)
      statements.push(
        this.conversations.appendSeqsStatement(ends.map((e) => ({ corpId: e.corpId, id: e.conversationId, seq: e.lastSeq }))),
        this.messages.insertStatement(messages),
      );
    if (cursors.length > 0) statements.push(this.conversations.advanceReadsStatement(cursors));
    if (events.length > 0) statements.push(outboxRowsStatement(events.map((prepare) => prepare(this.bus))));
    await runCombined(tx, statements);
  }
}
