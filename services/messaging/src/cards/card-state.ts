import { CARD_TYPES } from '@atrium/contracts';

export type CardType = (typeof CARD_TYPES)[number];

export const SCHEDULE_RESPONSES = ['accepted', 'declined', 'tentative'] as const;
export type ScheduleResponse = (typeof SCHEDULE_RESPONSES)[number];

export interface TemplateButton {
  key: string;
  text: string;
}

/** What the sending app set on a template card: its buttons become one disabled label, or a new card. */
export type AppState =
  { replaceName: string } | { card: { title: string; description: string; buttons: TemplateButton[]; taskId?: string } };

export interface CardKey {
  corpId: string;
  conversationId: string;
  seq: number;
}

export interface CardRecord extends CardKey {
  cardType: CardType;
  version: number;
  updatedAt: Date;
}

/** The app's side of one send (msgid) of a template card: what it set for every recipient. */
export interface SendState {
  msgid: string;
  version: number;
  appState: AppState | null;
  appStateVersion: number | null;
}

/** One member's side of a card: their answer (schedule), done state (todo) or clicked key (template). */
export interface MemberCardState {
  userid: string;
  response: string | null;
  respondedAt: Date | null;
  respondedBy: string | null;
  override: AppState | null;
  overrideVersion: number | null;
}

/** Everything a view of one card is built from. */
export interface CardFacts {
  cardType: CardType;
  content: Record<string, unknown>;
  card: CardRecord | undefined;
  /** Template cards an app sent: the state of their send. */
  send: SendState | undefined;
  /** Schedule and todo cards: every member row; template cards: at least the viewer's. */
  members: MemberCardState[];
  /** Template cards: clicks per button key. */
  clickCounts: Record<string, number>;
}

export function isCardType(type: string): type is CardType {
  return (CARD_TYPES as readonly string[]).includes(type);
}

const lowerSet = (value: unknown) => new Set(Array.isArray(value) ? value.map((v) => String(v).toLowerCase()) : []);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const attendeesOf = (content: Record<string, unknown>) => lowerSet(content.attendees);
export const assigneesOf = (content: Record<string, unknown>) => lowerSet(content.assignees);

/** `app:<agentid>` → the agentid; any other sender → null. */
export function agentidOf(sender: string): number | null {
  const match = /^app:(\d{1,10})$/.exec(sender);
  return match ? Number(match[1]) : null;
}

/** The app state that applies to one member: their own override when it is newer than the send-wide one. */
export function effectiveAppState(send: SendState | undefined, member: MemberCardState | undefined): AppState | null {
  if (member?.override && (member.overrideVersion ?? 0) > (send?.appStateVersion ?? 0)) return member.override;
  return send?.appState ?? null;
}

/** The buttons a member can click: none once replaced by a label; the new card's after a card replacement. */
export function clickableButtons(content: Record<string, unknown>, state: AppState | null): TemplateButton[] {
  if (state && 'replaceName' in state) return [];
  if (state && 'card' in state) return state.card.buttons;
  return Array.isArray(content.buttons) ? (content.buttons as TemplateButton[]) : [];
}

function scheduleView(facts: CardFacts): Record<string, unknown> {
  const attendees = attendeesOf(facts.content);
  const responses: Record<string, { response: string; at: string | null }> = {};
  const counts = { accepted: 0, declined: 0, tentative: 0, pending: 0 };
  for (const m of facts.members) {
    if (!m.response || !attendees.has(m.userid)) continue;
    responses[m.userid] = { response: m.response, at: iso(m.respondedAt) };
    counts[m.response as ScheduleResponse]++;
  }
  counts.pending = attendees.size - Object.keys(responses).length;
  return { responses, counts };
}

function todoView(facts: CardFacts): Record<string, unknown> {
  const rows = new Map(facts.members.map((m) => [m.userid, m]));
  const assignees: Record<string, { done: boolean; at: string | null; by: string | null }> = {};
  let doneCount = 0;
  for (const userid of assigneesOf(facts.content)) {
    const row = rows.get(userid);
    const done = row?.response === 'done';
    if (done) doneCount++;
    assignees[userid] = { done, at: iso(row?.respondedAt ?? null), by: row?.respondedBy ?? null };
  }
  return { assignees, doneCount, total: Object.keys(assignees).length };
}

/** The card as every viewer sees it (what realtime `card` events carry). */
export function sharedView(facts: CardFacts): Record<string, unknown> {
  const base = { cardType: facts.cardType, version: facts.card?.version ?? 0, updatedAt: iso(facts.card?.updatedAt ?? null) };
  switch (facts.cardType) {
    case 'schedule_card':
      return { ...base, ...scheduleView(facts) };
    case 'todo_card':
      return { ...base, ...todoView(facts) };
    case 'template_card':
      // appStateVersion orders the app's updates, which do not move the card's own version.
      return {
        ...base,
        clickCounts: facts.clickCounts,
        appState: facts.send?.appState ?? null,
        appStateVersion: facts.send?.appStateVersion ?? 0,
      };
    default: {
      const unhandled: never = facts.cardType;
      throw new Error(`no view for card type ${String(unhandled)}`);
    }
  }
}

/** The shared view plus `mine`: the viewer's own answer, done state, click and applicable app state. */
export function viewFor(facts: CardFacts, viewer: string): Record<string, unknown> {
  const me = facts.members.find((m) => m.userid === viewer);
  let mine: Record<string, unknown>;
  switch (facts.cardType) {
    case 'schedule_card':
      mine = { attendee: attendeesOf(facts.content).has(viewer), response: me?.response ?? null, at: iso(me?.respondedAt ?? null) };
      break;
    case 'todo_card':
      mine = { assignee: assigneesOf(facts.content).has(viewer), done: me?.response === 'done', at: iso(me?.respondedAt ?? null) };
      break;
    case 'template_card': {
      const appState = effectiveAppState(facts.send, me);
      mine = {
        clicked: me?.response ? { key: me.response, at: iso(me.respondedAt) } : null,
        appState,
        buttons: clickableButtons(facts.content, appState),
      };
      break;
    }
    default: {
      const unhandled: never = facts.cardType;
      throw new Error(`no view for card type ${String(unhandled)}`);
    }
  }
  return { ...sharedView(facts), mine };
}
