import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MessageSent } from '@atrium/contracts';
import {
  Batcher,
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  outboxRowsStatement,
  runCombined,
} from '@atrium/platform';
import { assertBurnAllowed } from '../burn/burn-rules';
import { BurnService } from '../burn/burn.service';
import { ConversationsRepository, LockedForSend } from '../conversations/conversations.repository';
import { MediaService } from '../media/media.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { Message, MessageType } from './message';
import { messageSnapshot, toWire } from './message-snapshot';
import { MessagesRepository } from './messages.repository';
import { assertSameSend, clientMsgIdReused } from './send-fingerprint';

/** A send that passed validation: what the committer stores. */
export interface ValidSend {
  caller: CallerIdentity;
  userid: string;
  conversationId: string;
  clientMsgId: string;
  type: MessageType;
  content: Record<string, unknown>;
  burnAfterReading: boolean;
  /** What the send asks for (sendFingerprint): a resend of its client message id must match it. */
  fingerprint: string;
}

export interface SendOutcome {
  message: Message;
  created: boolean;
}

/** A group's place in the order of lock takers: wait for `ready`, call `done` once locked (or failed). */
interface LockTurn {
  ready: Promise<unknown>;
  done: () => void;
}

/** What earlier sends of a group wrote in a send's conversation. */
interface GroupSoFar {
  /** The conversation's last seq they took. */
  seq?: number;
  /** The seq of the sender's own latest one. */
  senderSeq?: number;
  /** Whether another member sent burn-after-reading messages among them. */
  burnsByOthers: boolean;
}

interface Stored extends SendOutcome {
  /** The sender's read cursor before this send moved it (burn-after-reading announcements). */
  readBefore: number;
  unreadBurns: boolean;
}

/**
 * Sends are committed in groups. Concurrent sends (from every gateway replica, REST and apps)
 * queue while the transactions in flight finish, and the next transaction takes them all: one
 * locking read for all their conversations, one combined write of their messages, sequences,
 * senders' cursors and outbox events, one commit. Under load that shares a transaction's round
 * trips and commit among dozens of messages; alone, a send is still four round trips.
 */
@Injectable()
export class SendCommitter {
  private readonly batcher = new Batcher<ValidSend, SendOutcome>((sends) => this.commit(sends), {
    // Enough transactions to keep PostgreSQL busy while the others' results travel; more only
    // split the queue into smaller groups.
    concurrency: 3,
    maxBatch: 128,
  });

  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly media: MediaService,
    private readonly burn: BurnService,
    private readonly realtime: RealtimePublisher,
  ) {}

  /** Per conversation, the latest group's promise to hold its locks (see takeLockTurn). */
  private readonly lockTurns = new Map<string, Promise<void>>();

  submit(send: ValidSend): Promise<SendOutcome> {
    return this.batcher.submit(send);
  }

  private async commit(sends: ValidSend[]): Promise<PromiseSettledResult<SendOutcome>[]> {
    const turn = this.takeLockTurn(sends);
    let stored: PromiseSettledResult<Stored>[];
    try {
      stored = await this.transactions.run((tx) => this.store(tx, sends, turn));
    } catch (error) {
      turn.done();
      // One send's conflict (a resend racing its original in another group, a deadlock) rolled
      // back the group: each send goes again on its own, so the conflict stays with its send.
      if (sends.length > 1) return Promise.all(sends.map((send) => this.commit([send]).then(([result]) => result)));
      stored = [await this.settleConflict(sends[0], error)];
    }
    const outcomes = await Promise.all(stored.map((result, i) => this.afterCommit(sends[i], result)));
    if (stored.some((r) => r.status === 'fulfilled' && r.value.created)) this.bus.relay.nudge();
    return outcomes;
  }

  /**
   * Groups lock a conversation in the order they were formed: a later group waits until every
   * earlier one that shares a conversation with it holds its locks, so it never takes a seq before
   * them and a client's sends keep their order across groups. Groups with nothing in common do not
   * wait for each other.
   */
  private takeLockTurn(sends: ValidSend[]): LockTurn {
    const keys = [...new Set(sends.map((s) => `${s.caller.corpId}\n${s.conversationId}`))];
    const ready = Promise.all(keys.flatMap((key) => this.lockTurns.get(key) ?? []));
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    for (const key of keys) this.lockTurns.set(key, mine);
    void mine.then(() => {
      for (const key of keys) if (this.lockTurns.get(key) === mine) this.lockTurns.delete(key);
    });
    return { ready, done };
  }

  /** The group's reads, each send's rules and seq in order, then one write; a refused send stays out of the write. */
  private async store(tx: Tx, sends: ValidSend[], turn: LockTurn): Promise<PromiseSettledResult<Stored>[]> {
    let locked: Map<number, LockedForSend>;
    try {
      await turn.ready;
      locked = await this.conversations.lockForSend(
        tx,
        sends.map((s) => ({ corpId: s.caller.corpId, conversationId: s.conversationId, userid: s.userid, clientMsgId: s.clientMsgId })),
      );
    } finally {
      turn.done();
    }
    const lastSeqs = new Map<string, { corpId: string; id: string; seq: number }>();
    const cursors = new Map<string, { corpId: string; conversationId: string; userid: string; seq: number }>();
    const firstOfKey = new Map<string, number>();
    const burnSenders = new Map<string, Set<string>>();
    const created: Message[] = [];
    const results: PromiseSettledResult<Stored>[] = [];
    for (const [i, send] of sends.entries()) {
      // The same client message id twice in one group: the second is a resend of the first.
      const key = `${send.caller.corpId}\n${send.conversationId}\n${send.userid}\n${send.clientMsgId}`;
      const first = firstOfKey.get(key);
      if (first !== undefined) {
        const earlier = results[first];
        if (sends[first].fingerprint !== send.fingerprint)
          results.push({
            status: 'rejected',
            reason: clientMsgIdReused(send.clientMsgId, earlier.status === 'fulfilled' ? earlier.value.message.seq : undefined),
          });
        else results.push(earlier.status === 'fulfilled' ? { status: 'fulfilled', value: { ...earlier.value, created: false } } : earlier);
        continue;
      }
      firstOfKey.set(key, i);
      try {
        const conversationKey = `${send.caller.corpId}\n${send.conversationId}`;
        const cursorKey = `${conversationKey}\n${send.userid}`;
        const stored = await this.prepare(tx, send, locked.get(i), {
          seq: lastSeqs.get(conversationKey)?.seq,
          senderSeq: cursors.get(cursorKey)?.seq,
          burnsByOthers: [...(burnSenders.get(conversationKey) ?? [])].some((sender) => sender !== send.userid),
        });
        if (stored.created) {
          const message = stored.message;
          lastSeqs.set(conversationKey, { corpId: message.corpId, id: message.conversationId, seq: message.seq });
          // The sender has read what they wrote.
          cursors.set(cursorKey, {
            corpId: message.corpId,
            conversationId: message.conversationId,
            userid: message.sender,
            seq: message.seq,
          });
          created.push(message);
          if (message.burnAfterReading)
            burnSenders.set(conversationKey, (burnSenders.get(conversationKey) ?? new Set()).add(message.sender));
        }
        results.push({ status: 'fulfilled', value: stored });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({ status: 'rejected', reason: error });
      }
    }
    if (created.length > 0)
      await runCombined(tx, [
        this.conversations.appendSeqsStatement([...lastSeqs.values()]),
        this.messages.insertStatement(created),
        this.conversations.advanceReadsStatement([...cursors.values()]),
        outboxRowsStatement(
          created.map(
            (message) =>
              this.bus.prepare(MessageSent, message.corpId, {
                corpId: message.corpId,
                conversationId: message.conversationId,
                message: messageSnapshot(message),
              }).statement,
          ),
        ),
      ]);
    return results;
  }

  /** One send's rules against its locked conversation, after what earlier sends of the group wrote there. */
  private async prepare(tx: Tx, send: ValidSend, locked: LockedForSend | undefined, group: GroupSoFar): Promise<Stored> {
    const { caller } = send;
    if (!locked?.me) throw new NotFoundError('conversation', { conversationId: send.conversationId });
    const { conversation, me } = locked;
    if (conversation.dissolved)
      throw new DomainError('PRECONDITION_FAILED', 'the group has been dissolved', {
        reason: 'DISSOLVED',
        conversationId: conversation.id,
      });
    // Only the app posts in its conversation with a member (a member's reply would be the app's
    // callback, which Atrium does not deliver yet).
    if (conversation.kind === 'app')
      throw new DomainError('FORBIDDEN', 'an app conversation is read-only: only the app posts in it', {
        conversationId: conversation.id,
        reason: 'APP_CONVERSATION',
      });
    if (locked.originalSeq !== undefined) {
      const original = await this.messages.findBySeq(tx, caller.corpId, conversation.id, locked.originalSeq);
      if (original) {
        assertSameSend(original, send.fingerprint);
        return { message: original, created: false, readBefore: 0, unreadBurns: false };
      }
    }
    if (send.burnAfterReading) assertBurnAllowed(conversation);
    const privileged = me.role === 'owner' || me.role === 'admin';
    if (conversation.adminOnly && !privileged)
      throw new DomainError('FORBIDDEN', 'only the owner and group admins may post here', { conversationId: conversation.id });
    if (me.mutedUntil && me.mutedUntil.getTime() > Date.now()) {
      throw new DomainError('FORBIDDEN', `you are muted in this group until ${me.mutedUntil.toISOString()}`, {
        mutedUntil: me.mutedUntil.toISOString(),
      });
    }
    if (send.type === 'text' && send.content.mentionAll === true && !privileged)
      throw new DomainError('FORBIDDEN', 'only the owner and group admins may mention everyone');
    const seq = (group.seq ?? conversation.lastSeq) + 1;
    const content = {
      ...send.content,
      ...(await this.media.attach(tx, caller.corpId, me.userid, {
        conversationId: conversation.id,
        seq,
        type: send.type,
        content: send.content,
      })),
    };
    const message: Message = {
      corpId: caller.corpId,
      conversationId: conversation.id,
      seq,
      id: randomUUID(),
      sender: me.userid,
      clientMsgId: send.clientMsgId,
      type: send.type,
      content,
      sentAt: new Date(),
      recalledAt: null,
      recalledBy: null,
      burnAfterReading: send.burnAfterReading,
      requestHash: send.fingerprint,
    };
    // The lock's read saw the other party's unread burns before this group; the sender's own
    // earlier send in the group moved their cursor past those already.
    const unreadBurns = (group.senderSeq === undefined && locked.unreadBurns) || group.burnsByOthers;
    return { message, created: true, readBefore: group.senderSeq ?? me.readSeq, unreadBurns };
  }

  /**
   * A lone send whose transaction failed: two sends of one client message id at once, the second
   * waited for the lock, then hit the unique key the first one committed. It is a resend like any other.
   */
  private async settleConflict(send: ValidSend, error: unknown): Promise<PromiseSettledResult<Stored>> {
    const original = isDuplicateClientMsgId(error)
      ? await this.messages.findByClientId(
          this.transactions.manager,
          send.caller.corpId,
          send.conversationId,
          send.userid,
          send.clientMsgId,
        )
      : undefined;
    if (!original) return { status: 'rejected', reason: error };
    try {
      assertSameSend(original, send.fingerprint);
    } catch (conflict) {
      return { status: 'rejected', reason: conflict };
    }
    return { status: 'fulfilled', value: { message: original, created: false, readBefore: 0, unreadBurns: false } };
  }

  private async afterCommit(send: ValidSend, result: PromiseSettledResult<Stored>): Promise<PromiseSettledResult<SendOutcome>> {
    if (result.status === 'rejected') return result;
    let { message } = result.value;
    const { created, readBefore, unreadBurns } = result.value;
    if (message.burnAfterReading) [message] = await this.burn.present(send.caller.corpId, null, [message]);
    if (created) {
      // Writing moves the sender's read cursor too: what it passed is burnt on their other devices.
      if (unreadBurns) await this.burn.announceRead(send.caller.corpId, message.conversationId, message.sender, readBefore, message.seq);
      await this.realtime.toConversation(send.caller.corpId, {
        kind: 'message',
        conversationId: message.conversationId,
        message: toWire(message),
      });
    }
    return { status: 'fulfilled', value: { message, created } };
  }
}

function isDuplicateClientMsgId(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
  return driverError?.code === '23505' && (driverError.constraint ?? '').includes('client_msg_id');
}
