import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CardClicked, CardUpdated, ConversationRealtimeEvent } from '@atrium/contracts';
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
import { ConversationsRepository } from '../conversations/conversations.repository';
import { Message } from '../messages/message';
import { parseContent } from '../messages/message-content';
import { MessagesRepository } from '../messages/messages.repository';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import {
  agentidOf,
  AppState,
  assigneesOf,
  attendeesOf,
  CardFacts,
  CardKey,
  CardRecord,
  CardType,
  clickableButtons,
  effectiveAppState,
  isCardType,
  SCHEDULE_RESPONSES,
  ScheduleResponse,
  sharedView,
  viewFor,
} from './card-state';
import { CardStatesRepository, ResponseCode } from './card-states.repository';

/** WeCom: a response_code may be spent once, within 72 hours. */
export const RESPONSE_CODE_TTL_MS = 72 * 3600 * 1000;
const MAX_TARGETS = 10_000;
// Realtime pushes of an update to a whole send go out in slices.
const PUBLISH_SLICE = 500;

export interface TemplateCardUpdate {
  responseCode: string;
  userids: string[];
  all: boolean;
  replaceName: string;
  cardJson: string;
}

interface Change {
  view: Record<string, unknown>;
  event?: ConversationRealtimeEvent;
}

const lower = (s: string) => s.trim().toLowerCase();
const newResponseCode = () => randomBytes(24).toString('base64url');

/**
 * The mutable state of card messages: schedule answers, todo done states, template-card clicks and
 * what the sending app made of its card. The message row never changes; each change is one
 * transaction on the card's own row (its lock orders the card's versions), an outbox event, and
 * after commit one realtime `card` event on the conversation channel, whatever the group size.
 */
@Injectable()
export class CardsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly cards: CardStatesRepository,
    private readonly realtime: RealtimePublisher,
  ) {}

  async respondToSchedule(caller: CallerIdentity, conversationId: string, seq: number, response: string): Promise<Record<string, unknown>> {
    if (!(SCHEDULE_RESPONSES as readonly string[]).includes(response))
      throw new ValidationError(`response must be one of ${SCHEDULE_RESPONSES.join(', ')}`, { field: 'response' });
    const me = lower(caller.userId);
    return this.change(caller, conversationId, seq, 'schedule_card', async (tx, key, message) => {
      if (!attendeesOf(message.content).has(me))
        throw new DomainError('FORBIDDEN', 'only the attendees of this schedule may answer it', { reason: 'NOT_AN_ATTENDEE' });
      await this.cards.lock(tx, key, 'schedule_card');
      if ((await this.cards.member(tx, key, me))?.response === (response as ScheduleResponse)) return undefined;
      await this.cards.respond(tx, key, [me], response, me);
      const card = await this.cards.bump(tx, key);
      await this.publishUpdated(tx, message, card, { change: 'schedule_response', actor: me, userids: [me], data: { response } });
      return { change: 'schedule_response', actor: me };
    });
  }

  /** An assignee for themselves; the card's sender, with `forAll`, for every assignee at once. */
  async setTodoDone(
    caller: CallerIdentity,
    conversationId: string,
    seq: number,
    done: boolean,
    forAll: boolean,
  ): Promise<Record<string, unknown>> {
    const me = lower(caller.userId);
    return this.change(caller, conversationId, seq, 'todo_card', async (tx, key, message) => {
      const assignees = assigneesOf(message.content);
      if (forAll && message.sender !== me)
        throw new DomainError('FORBIDDEN', 'only the sender of this todo may mark it for everyone', { reason: 'NOT_THE_SENDER' });
      if (!forAll && !assignees.has(me))
        throw new DomainError('FORBIDDEN', 'only the assignees of this todo may mark it', { reason: 'NOT_AN_ASSIGNEE' });
      await this.cards.lock(tx, key, 'todo_card');
      const response = done ? 'done' : 'undone';
      const current = new Map((await this.cards.members(tx, key)).map((m) => [m.userid, m.response === 'done']));
      const targets = (forAll ? [...assignees] : [me]).filter((u) => (current.get(u) ?? false) !== done);
      if (targets.length === 0) return undefined;
      await this.cards.respond(tx, key, targets, response, me);
      const card = await this.cards.bump(tx, key);
      await this.publishUpdated(tx, message, card, { change: 'todo_done', actor: me, userids: targets, data: { done } });
      return { change: 'todo_done', actor: me };
    });
  }

  /**
   * Records a member's click once. A click on a card an app sent issues a response code and tells
   * that app (`messaging.card.clicked`, delivered by the gateway as WeCom's template_card_event).
   */
  async click(
    caller: CallerIdentity,
    conversationId: string,
    seq: number,
    key: string,
  ): Promise<{ view: Record<string, unknown>; recorded: boolean }> {
    if (typeof key !== 'string' || key.length < 1 || key.length > 64)
      throw new ValidationError('key must be 1-64 characters', { field: 'key' });
    const me = lower(caller.userId);
    let recorded = false;
    const view = await this.change(caller, conversationId, seq, 'template_card', async (tx, cardKey, message) => {
      await this.cards.lock(tx, cardKey, 'template_card');
      const mine = await this.cards.member(tx, cardKey, me);
      if (mine?.response === key) return undefined;
      const msgid = await this.cards.msgidOf(tx, cardKey);
      const send = msgid ? (await this.cards.sendsFor(tx, cardKey.corpId, conversationId, [seq])).get(seq) : undefined;
      const state = effectiveAppState(send, mine);
      if (state && 'replaceName' in state)
        throw new DomainError('PRECONDITION_FAILED', 'the buttons of this card are closed', { reason: 'CARD_BUTTONS_CLOSED' });
      if (!clickableButtons(message.content, state).some((b) => b.key === key))
        throw new ValidationError(`this card has no button "${key}"`, { field: 'key' });
      if (mine?.response)
        throw new DomainError('ALREADY_EXISTS', `you already chose "${mine.response}" on this card`, {
          reason: 'ALREADY_CLICKED',
          key: mine.response,
        });
      await this.cards.respond(tx, cardKey, [me], key, me);
      const updated = await this.cards.bump(tx, cardKey);
      const agentid = agentidOf(message.sender);
      // The code of a click updates the clicker's card (or, with userids or atall, the send's).
      const responseCode =
        agentid === null || !msgid ? '' : await this.issueCode(tx, cardKey.corpId, { agentid, msgid, conversationId, seq, issuedFor: me });
      await this.bus.publish(tx, CardClicked, cardKey.corpId, {
        corpId: cardKey.corpId,
        conversationId,
        seq,
        messageId: message.id,
        userid: me,
        key,
        agentid,
        responseCode,
        taskId: typeof message.content.taskId === 'string' ? message.content.taskId : message.id,
        clickedAt: updated.updatedAt.toISOString(),
      });
      recorded = true;
      return { change: 'clicked', actor: me };
    });
    return { view, recorded };
  }

  /**
   * WeCom's update_template_card: the app that sent a template card spends a response code to
   * replace its buttons with a disabled label, or the whole card. For everyone (`all`): one write to
   * the send's state, whatever the number of recipients; for named members: an override on each
   * named member's card. Every affected card's viewers get a realtime `card` event.
   */
  async updateTemplateCard(
    caller: CallerIdentity,
    input: TemplateCardUpdate,
  ): Promise<{ conversationId: string; seq: number; invalidUserids: string[] }> {
    const agentid = agentidOf(caller.userId);
    if (agentid === null)
      throw new DomainError('FORBIDDEN', 'only the app that sent a card may update it', { reason: 'NOT_THE_SENDING_APP' });
    const appState = this.appStateOf(input);
    const requested = [...new Set(input.userids.map(lower).filter(Boolean))];
    if (requested.length > MAX_TARGETS) throw new ValidationError(`at most ${MAX_TARGETS} userids`, { field: 'userids' });
    const corpId = caller.corpId;
    const result = await this.transactions.run(async (tx) => {
      const code = input.responseCode ? await this.cards.lockCode(tx, corpId, input.responseCode) : undefined;
      if (!code || code.agentid !== agentid)
        throw new DomainError('NOT_FOUND', 'response_code not found', { field: 'response_code', reason: 'RESPONSE_CODE_INVALID' });
      if (code.usedAt)
        throw new DomainError('PRECONDITION_FAILED', 'response_code was used already', {
          field: 'response_code',
          reason: 'RESPONSE_CODE_USED',
        });
      if (code.expiresAt.getTime() <= Date.now())
        throw new DomainError('PRECONDITION_FAILED', 'response_code has expired', {
          field: 'response_code',
          reason: 'RESPONSE_CODE_EXPIRED',
        });
      const wanted = input.all ? undefined : requested.length > 0 ? requested : code.issuedFor ? [code.issuedFor] : [];
      if (wanted?.length === 0)
        throw new ValidationError('name the members whose card changes (userids), or all of them', { field: 'userids' });
      const cards = await this.cards.cardsOfSend(tx, corpId, code.msgid, caller.userId, wanted);
      if (cards.length === 0) {
        if (wanted) throw new DomainError('NOT_FOUND', 'none of the userids received this card', { field: 'userids', userids: wanted });
        throw new DomainError('PRECONDITION_FAILED', 'every card of this send was recalled', { reason: 'CARD_GONE' });
      }
      const reached = new Set(cards.map((c) => c.userid));
      const invalidUserids = (wanted ?? []).filter((u) => !reached.has(u));
      await this.cards.spendCode(tx, corpId, code.code);
      await this.cards.lockSend(tx, corpId, code.msgid, agentid);
      const send = await this.cards.bumpSend(tx, corpId, code.msgid, wanted ? undefined : appState);
      if (wanted) {
        for (const card of cards) {
          await this.cards.lock(tx, card, 'template_card');
          await this.cards.override(tx, card, [card.userid], appState, send.version);
        }
      }
      await this.bus.publish(tx, CardUpdated, corpId, {
        corpId,
        conversationId: code.conversationId ?? '',
        seq: code.seq ?? 0,
        msgid: code.msgid,
        messageId: '',
        cardType: 'template_card',
        change: 'template_updated',
        actor: caller.userId,
        userids: wanted ? cards.map((c) => c.userid) : [],
        all: !wanted,
        data: { ...appState, cards: cards.length },
        version: send.version,
      });
      const summaries = await this.cards.summariesOf(tx, corpId, cards);
      const events = cards.map((card): ConversationRealtimeEvent => {
        const summary = summaries.get(`${card.conversationId}:${card.seq}`);
        return {
          kind: 'card',
          conversationId: card.conversationId,
          seq: card.seq,
          change: 'template_updated',
          actor: caller.userId,
          version: summary?.version ?? 0,
          state: {
            cardType: 'template_card',
            version: summary?.version ?? 0,
            clickCounts: summary?.clickCounts ?? {},
            appState: send.appState,
            appStateVersion: send.appStateVersion ?? 0,
          },
          ...(wanted ? { userids: [card.userid], override: appState as unknown as Record<string, unknown> } : {}),
        };
      });
      const first = cards[0];
      return { conversationId: first.conversationId, seq: first.seq, invalidUserids, events };
    });
    this.bus.relay.nudge();
    for (let i = 0; i < result.events.length; i += PUBLISH_SLICE) {
      await Promise.all(result.events.slice(i, i + PUBLISH_SLICE).map((event) => this.realtime.toConversation(corpId, event)));
    }
    return { conversationId: result.conversationId, seq: result.seq, invalidUserids: result.invalidUserids };
  }

  async state(caller: CallerIdentity, conversationId: string, seq: number): Promise<Record<string, unknown>> {
    const tx = this.transactions.manager;
    const message = await this.visibleCard(tx, caller, conversationId, seq, undefined);
    const key = { corpId: caller.corpId, conversationId, seq };
    return viewFor(await this.facts(tx, key, message, message.type as CardType, lower(caller.userId)), lower(caller.userId));
  }

  /**
   * Hook for an app's send (message/send), in the send's transaction: a template card gets the
   * response code WeCom returns, good for the whole send (every recipient's card) once, 72 hours.
   */
  async onAppCardSent(tx: Tx, send: { corpId: string; agentid: number; msgid: string; type: string }): Promise<string> {
    if (send.type !== 'template_card') return '';
    return this.issueCode(tx, send.corpId, { agentid: send.agentid, msgid: send.msgid, conversationId: null, seq: null, issuedFor: '' });
  }

  /** Each card of a page of one conversation's messages gets its current state as `viewer` sees it (four queries a page). */
  async withStates(corpId: string, viewer: string, conversationId: string, page: Message[]): Promise<Message[]> {
    const cards = page.filter((m) => !m.recalledAt && isCardType(m.type));
    if (cards.length === 0) return page;
    const me = lower(viewer);
    const tx = this.transactions.manager;
    const seqs = cards.map((m) => m.seq);
    const fullSeqs = cards.filter((m) => m.type !== 'template_card').map((m) => m.seq);
    const templateSeqs = cards.filter((m) => m.type === 'template_card').map((m) => m.seq);
    const [records, everyone, mine, clicks, sends] = await Promise.all([
      this.cards.cardsFor(tx, corpId, conversationId, seqs),
      this.cards.membersFor(tx, corpId, conversationId, fullSeqs),
      this.cards.membersFor(tx, corpId, conversationId, templateSeqs, me),
      this.cards.clickCountsFor(tx, corpId, conversationId, templateSeqs),
      this.cards.sendsFor(tx, corpId, conversationId, templateSeqs),
    ]);
    return page.map((m) => {
      if (m.recalledAt || !isCardType(m.type)) return m;
      const facts: CardFacts = {
        cardType: m.type,
        content: m.content,
        card: records.get(m.seq),
        send: sends.get(m.seq),
        members: (m.type === 'template_card' ? mine : everyone).get(m.seq) ?? [],
        clickCounts: clicks.get(m.seq) ?? {},
      };
      return { ...m, cardState: viewFor(facts, me) };
    });
  }

  /** Check, change, publish: the shared shape of the members' card actions. */
  private async change(
    caller: CallerIdentity,
    conversationId: string,
    seq: number,
    cardType: CardType,
    apply: (tx: Tx, key: CardKey, message: Message) => Promise<{ change: string; actor: string } | undefined>,
  ): Promise<Record<string, unknown>> {
    const me = lower(caller.userId);
    const key: CardKey = { corpId: caller.corpId, conversationId, seq };
    const result = await this.transactions.run(async (tx) => {
      const message = await this.visibleCard(tx, caller, conversationId, seq, cardType);
      const changed = await apply(tx, key, message);
      const facts = await this.facts(tx, key, message, cardType, me);
      const event: ConversationRealtimeEvent | undefined = changed && {
        kind: 'card',
        conversationId,
        seq,
        change: changed.change,
        actor: changed.actor,
        version: facts.card?.version ?? 0,
        state: sharedView(facts),
      };
      return { view: viewFor(facts, me), event } satisfies Change;
    });
    if (result.event) {
      this.bus.relay.nudge();
      await this.realtime.toConversation(caller.corpId, result.event);
    }
    return result.view;
  }

  /** The card message as a member who can see it (joined before it was sent) finds it. */
  private async visibleCard(
    tx: Tx,
    caller: CallerIdentity,
    conversationId: string,
    seq: number,
    cardType: CardType | undefined,
  ): Promise<Message> {
    const conversation = await this.conversations.find(tx, caller.corpId, conversationId);
    const me = conversation && (await this.conversations.member(tx, caller.corpId, conversationId, lower(caller.userId)));
    if (!conversation || !me) throw new NotFoundError('conversation', { conversationId });
    const message = await this.messages.findBySeq(tx, caller.corpId, conversationId, seq);
    if (!message || seq <= me.joinedSeq) throw new NotFoundError(`message ${seq}`, { seq });
    if (!isCardType(message.type))
      throw new DomainError('PRECONDITION_FAILED', `message ${seq} is not a card`, { reason: 'NOT_A_CARD', seq });
    if (cardType && message.type !== cardType)
      throw new DomainError('PRECONDITION_FAILED', `message ${seq} is a ${message.type}, not a ${cardType}`, {
        reason: 'WRONG_CARD_TYPE',
        seq,
      });
    if (message.recalledAt) throw new DomainError('PRECONDITION_FAILED', 'the card was recalled', { reason: 'CARD_GONE', seq });
    if (conversation.dissolved)
      throw new DomainError('PRECONDITION_FAILED', 'the group has been dissolved', { reason: 'CARD_GONE', conversationId });
    return message;
  }

  private async facts(tx: Tx, key: CardKey, message: Message, cardType: CardType, viewer: string | undefined): Promise<CardFacts> {
    const card = await this.cards.find(tx, key);
    if (cardType !== 'template_card') {
      return { cardType, content: message.content, card, send: undefined, members: await this.cards.members(tx, key), clickCounts: {} };
    }
    const mine = viewer ? await this.cards.member(tx, key, viewer) : undefined;
    const send = (await this.cards.sendsFor(tx, key.corpId, key.conversationId, [key.seq])).get(key.seq);
    return {
      cardType,
      content: message.content,
      card,
      send,
      members: mine ? [mine] : [],
      clickCounts: await this.cards.clickCounts(tx, key),
    };
  }

  private async publishUpdated(
    tx: Tx,
    message: Message,
    card: CardRecord,
    what: { change: 'schedule_response' | 'todo_done'; actor: string; userids: string[]; data: Record<string, unknown> },
  ): Promise<void> {
    await this.bus.publish(tx, CardUpdated, card.corpId, {
      corpId: card.corpId,
      conversationId: card.conversationId,
      seq: card.seq,
      msgid: '',
      messageId: message.id,
      cardType: card.cardType,
      change: what.change,
      actor: what.actor,
      userids: what.userids,
      all: false,
      data: what.data,
      version: card.version,
    });
  }

  private async issueCode(tx: Tx, corpId: string, code: Omit<ResponseCode, 'code' | 'expiresAt' | 'usedAt'>): Promise<string> {
    const value = newResponseCode();
    await this.cards.insertCode(tx, corpId, { ...code, code: value, expiresAt: new Date(Date.now() + RESPONSE_CODE_TTL_MS) });
    return value;
  }

  private appStateOf(input: TemplateCardUpdate): AppState {
    const replaceName = input.replaceName.trim();
    if (replaceName && input.cardJson) throw new ValidationError('give replace_name or a card, not both', { field: 'replace_name' });
    if (replaceName) {
      if ([...replaceName].length > 64) throw new ValidationError('replace_name must be at most 64 characters', { field: 'replace_name' });
      return { replaceName };
    }
    if (!input.cardJson) throw new ValidationError('give replace_name or a card', { field: 'replace_name' });
    const { content } = parseContent('template_card', input.cardJson);
    return { card: content as { title: string; description: string; buttons: { key: string; text: string }[]; taskId?: string } };
  }
}
