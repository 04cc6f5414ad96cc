import { agentidOf, CardFacts, clickableButtons, effectiveAppState, MemberCardState, SendState, sharedView, viewFor } from './card-state';

const member = (userid: string, extra: Partial<MemberCardState> = {}): MemberCardState => ({
  userid,
  response: null,
  respondedAt: null,
  respondedBy: null,
  override: null,
  overrideVersion: null,
  ...extra,
});
const at = new Date('2030-01-01T00:00:00Z');
const buttons = [
  { key: 'yes', text: 'Yes' },
  { key: 'no', text: 'No' },
];

describe('card state views', () => {
  it('counts schedule answers of attendees only, the rest pending', () => {
    const facts: CardFacts = {
      cardType: 'schedule_card',
      content: { attendees: ['Alice', 'bob', 'carol'] },
      card: { corpId: 'c', conversationId: 'x', seq: 1, cardType: 'schedule_card', version: 3, updatedAt: at },
      send: undefined,
      members: [member('alice', { response: 'accepted', respondedAt: at }), member('mallory', { response: 'declined', respondedAt: at })],
      clickCounts: {},
    };
    expect(sharedView(facts)).toEqual({
      cardType: 'schedule_card',
      version: 3,
      updatedAt: at.toISOString(),
      responses: { alice: { response: 'accepted', at: at.toISOString() } },
      counts: { accepted: 1, declined: 0, tentative: 0, pending: 2 },
    });
    expect(viewFor(facts, 'bob').mine).toEqual({ attendee: true, response: null, at: null });
  });

  it('lists every todo assignee with their done state', () => {
    const facts: CardFacts = {
      cardType: 'todo_card',
      content: { assignees: ['bob', 'carol'] },
      card: undefined,
      send: undefined,
      members: [member('bob', { response: 'done', respondedAt: at, respondedBy: 'alice' }), member('carol', { response: 'undone' })],
      clickCounts: {},
    };
    expect(viewFor(facts, 'bob')).toMatchObject({
      version: 0,
      doneCount: 1,
      total: 2,
      assignees: { bob: { done: true, by: 'alice' }, carol: { done: false } },
      mine: { assignee: true, done: true },
    });
  });

  it("applies a member's override only while it is newer than the send-wide app state", () => {
    const send: SendState = { msgid: 'm', version: 5, appState: { replaceName: 'Closed' }, appStateVersion: 5 };
    const older = member('bob', { override: { replaceName: 'Approved' }, overrideVersion: 4 });
    const newer = member('bob', { override: { replaceName: 'Approved' }, overrideVersion: 6 });
    expect(effectiveAppState(send, older)).toEqual({ replaceName: 'Closed' });
    expect(effectiveAppState(send, newer)).toEqual({ replaceName: 'Approved' });
    expect(effectiveAppState(undefined, undefined)).toBeNull();
    expect(effectiveAppState({ ...send, appState: null, appStateVersion: null }, newer)).toEqual({ replaceName: 'Approved' });
  });

  it('offers the buttons of the card, of a replacement card, or none once replaced by a label', () => {
    expect(clickableButtons({ buttons }, null)).toEqual(buttons);
    expect(clickableButtons({ buttons }, { replaceName: 'Done' })).toEqual([]);
    const card = { title: 't', description: '', buttons: [{ key: 'ok', text: 'OK' }] };
    expect(clickableButtons({ buttons }, { card })).toEqual(card.buttons);
  });

  it('knows an app sender by its agentid', () => {
    expect(agentidOf('app:1000002')).toBe(1000002);
    expect(agentidOf('alice')).toBeNull();
    expect(agentidOf('app:directory-sync')).toBeNull();
  });
});
