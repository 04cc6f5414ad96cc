import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { APP_EVENT_DELIVERIES, AppMessageRecalled, AppMessageSent } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { CardsService } from '../cards/cards.service';
import { MediaRepository } from '../media/media.repository';
import { MediaService } from '../media/media.service';
import { Message } from '../messages/message';
import { MessageAppender } from '../messages/message-appender';
import { parseContent } from '../messages/message-content';
import { toWire } from '../messages/message-snapshot';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { appAgentidOf, appSender, normaliseUserids } from './app-caller';
import { AppMessagesRepository } from './app-messages.repository';

export interface AppSendInput {
  userids: string[];
  type: string;
  contentJson: string;
  appName: string;
  enableDuplicateCheck: boolean;
  duplicateCheckInterval: number;
}

export interface AppSendResult {
  msgid: string;
  duplicate: boolean;
  recipientCount: number;
  /** WeCom's response_code of an interactive template card; empty when the send issued none. */
  responseCode: string;
}

/** WeCom's defaults: duplicates are looked for over the last 30 minutes, at most 4 hours. */
export const DUPLICATE_CHECK_DEFAULT_SECONDS = 1_800;
export const DUPLICATE_CHECK_MAX_SECONDS = 4 * 3_600;
/** An app recalls its messages within 24 hours (WeCom's rule; the corp's member window does not apply). */
export const APP_RECALL_WINDOW_SECONDS = 24 * 3_600;
/** A generous bound on one send (a corp's @all): the statements take arrays of this size. */
export const MAX_APP_RECIPIENTS = 100_000;
/** The content fields that name media (what the media registry checks on image, voice, video and file). */
const MEDIA_FIELDS = ['mediaId', 'thumbMediaId'];
// Realtime pushes go out in slices so a send to a whole corp does not queue every publish at once.
const PUBLISH_SLICE = 500;

const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** What the duplicate check compares: the type, the validated content and the sorted recipients. */
export function sendDigest(type: string, content: Record<string, unknown>, userids: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([type, content, [...userids].sort()]))
    .digest('base64url');
}

/**
 * An app's messages to members (WeCom message/send): each recipient gets the message in their own
 * app conversation, with that conversation's next sequence number; one msgid names them all.
 */
@Injectable()
export class AppMessagesService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly repository: AppMessagesRepository,
    private readonly appender: MessageAppender,
    private readonly realtime: RealtimePublisher,
    private readonly cards: CardsService,
    private readonly media: MediaService,
    private readonly mediaReferences: MediaRepository,
  ) {}

  async send(caller: CallerIdentity, input: AppSendInput): Promise<AppSendResult> {
    const agentid = appAgentidOf(caller);
    const sender = appSender(agentid);
    const userids = normaliseUserids(input.userids);
    if (userids.length === 0) throw new ValidationError('userids is empty', { field: 'userids' });
    if (userids.length > MAX_APP_RECIPIENTS)
      throw new DomainError('LIMIT_EXCEEDED', `one send reaches at most ${MAX_APP_RECIPIENTS} members`, { limit: MAX_APP_RECIPIENTS });
    const interval = input.duplicateCheckInterval || DUPLICATE_CHECK_DEFAULT_SECONDS;
    if (!Number.isInteger(interval) || interval < 1 || interval > DUPLICATE_CHECK_MAX_SECONDS)
      throw new ValidationError(`duplicate_check_interval must be 1-${DUPLICATE_CHECK_MAX_SECONDS} seconds`, {
        field: 'duplicate_check_interval',
      });
    const { type, content } = parseContent(input.type, input.contentJson);
    const name = input.appName.trim().slice(0, 64) || sender;
    const digest = sendDigest(type, content, userids);
    const msgid = randomBytes(24).toString('base64url');
    const sentAt = new Date();

    const outcome = await this.transactions.run(async (tx) => {
      if (input.enableDuplicateCheck) {
        await this.repository.lockDigest(tx, caller.corpId, agentid, digest);
        const original = await this.repository.findDuplicate(tx, caller.corpId, agentid, digest, interval);
        if (original) return { original, refs: [], messages: [], responseCode: '' };
      }
      const refs = await this.repository.ensureConversations(tx, caller.corpId, agentid, name, userids);
      const append = this.appender.begin(
        await this.repository.lockForSend(
          tx,
          caller.corpId,
          refs.map((r) => r.conversationId),
          name,
        ),
      );
      const messages: Message[] = refs.map((r) => ({
        corpId: caller.corpId,
        conversationId: r.conversationId,
        seq: append.nextSeq(caller.corpId, r.conversationId),
        id: randomUUID(),
        sender,
        clientMsgId: msgid,
        type,
        content,
        sentAt,
        recalledAt: null,
        recalledBy: null,
        msgid,
      }));
      await this.attachMedia(tx, caller.corpId, sender, messages);
      // The app is no member of its conversations, and its send is announced per delivery below.
      for (const message of messages) append.add(message, { senderIsMember: false, sentEvent: false });
      await this.repository.insertSend(tx, {
        corpId: caller.corpId,
        msgid,
        agentid,
        type,
        digest,
        recipientCount: messages.length,
        sentAt,
      });
      // An interactive template card gets WeCom's response_code (cards own what it unlocks).
      const responseCode = await this.cards.onAppCardSent(tx, { corpId: caller.corpId, agentid, msgid, type });
      const parts = chunk(
        messages.map((m, i) => ({ userid: refs[i].userid, conversationId: m.conversationId, messageId: m.id, seq: m.seq })),
        APP_EVENT_DELIVERIES,
      );
      for (const [i, deliveries] of parts.entries()) {
        append.event(AppMessageSent, caller.corpId, {
          corpId: caller.corpId,
          msgid,
          sender,
          type,
          content,
          sentAt: sentAt.toISOString(),
          part: i + 1,
          parts: parts.length,
          deliveries,
        });
      }
      await this.appender.write(tx, append);
      return { original: undefined, refs, messages, responseCode };
    });
    if (outcome.original) {
      const { msgid: first, recipientCount } = outcome.original;
      return { msgid: first, duplicate: true, recipientCount, responseCode: '' };
    }

    this.bus.relay.nudge();
    // Each app conversation has one member: its events go to that member's own channel, which
    // every replica holding their sockets already listens to (no subscription race on a new one).
    const deliveries = outcome.refs.map((ref, i) => ({ ref, message: outcome.messages[i] }));
    for (const slice of chunk(deliveries, PUBLISH_SLICE)) {
      await Promise.all(
        slice.map(async ({ ref, message }) => {
          if (ref.created)
            await this.realtime.toUsers(caller.corpId, [ref.userid], {
              kind: 'membership',
              conversationId: ref.conversationId,
              joined: true,
            });
          await this.realtime.toUsers(caller.corpId, [ref.userid], {
            kind: 'message',
            conversationId: ref.conversationId,
            message: toWire(message),
          });
        }),
      );
    }
    return { msgid, duplicate: false, recipientCount: outcome.messages.length, responseCode: outcome.responseCode ?? '' };
  }

  /**
   * Media messages: the registry checks the ids once, on the first message (they exist, are of the
   * right type, the app may read them), and every other recipient's message becomes a reference in
   * one statement, so each member may fetch the bytes. Fields the registry decides (a file's size)
   * join the content, which all the messages share.
   */
  private async attachMedia(tx: Tx, corpId: string, sender: string, messages: Message[]): Promise<void> {
    const [first, ...rest] = messages;
    Object.assign(first.content, await this.media.attach(tx, corpId, sender, first));
    const ids = MEDIA_FIELDS.map((f) => first.content[f]).filter((id): id is string => typeof id === 'string');
    const references = rest.flatMap((m) => ids.map((mediaId) => ({ mediaId, conversationId: m.conversationId, seq: m.seq })));
    await this.mediaReferences.addReferences(tx, corpId, references);
  }

  /** Every message of the msgid, by the app that sent it, within 24 hours; a repeat recalls nothing more. */
  async recall(caller: CallerIdentity, msgid: string): Promise<number> {
    const agentid = appAgentidOf(caller);
    const sender = appSender(agentid);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(msgid)) throw new NotFoundError(`msgid ${msgid}`, { field: 'msgid' });
    const recalled = await this.transactions.run(async (tx) => {
      const send = await this.repository.lockSend(tx, caller.corpId, msgid);
      // Another app's msgid does not exist as far as this app can tell.
      if (!send || send.agentid !== agentid) throw new NotFoundError(`msgid ${msgid}`, { field: 'msgid' });
      if (send.recalledAt) return [];
      if (Date.now() - send.sentAt.getTime() > APP_RECALL_WINDOW_SECONDS * 1_000)
        throw new DomainError('PRECONDITION_FAILED', 'an app message can be recalled within 24 hours of sending', { field: 'msgid' });
      const rows = await this.repository.recallMessages(tx, caller.corpId, msgid, sender);
      const parts = chunk(rows, APP_EVENT_DELIVERIES);
      for (const [i, recalls] of parts.entries()) {
        await this.bus.publish(tx, AppMessageRecalled, caller.corpId, {
          corpId: caller.corpId,
          msgid,
          sender,
          part: i + 1,
          parts: parts.length,
          recalls: recalls.map(({ conversationId, messageId, seq }) => ({ conversationId, messageId, seq })),
        });
      }
      return rows;
    });
    if (recalled.length > 0) this.bus.relay.nudge();
    for (const slice of chunk(recalled, PUBLISH_SLICE)) {
      await Promise.all(
        slice.map((r) =>
          this.realtime.toUsers(caller.corpId, [r.userid], {
            kind: 'recall',
            conversationId: r.conversationId,
            seq: r.seq,
            recalledBy: sender,
          }),
        ),
      );
    }
    return recalled.length;
  }
}
