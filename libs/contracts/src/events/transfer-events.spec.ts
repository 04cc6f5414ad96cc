import { isEvent } from './event-definition';
import { MemberDeleted, MemberOffboarded } from './directory-events';
import { transferReport } from './transfer-events';

const offboarded = { corpId: 'c1', actor: 'admin', userid: 'leaver', successorUserid: 'heir' };

describe('the transfer report a service sends after offboarding', () => {
  it('adds up what every step moved and names each', () => {
    const moved = [
      { resource: 'pending approval steps', count: 3 },
      { resource: 'delegations', count: 0 },
    ];
    expect(transferReport(offboarded, 'approvals', moved, 'nothing')).toEqual({
      corpId: 'c1',
      userid: 'leaver',
      successorUserid: 'heir',
      resourceType: 'approvals',
      transferred: 3,
      status: 'done',
      detail: '3 pending approval steps, 0 delegations',
    });
  });

  it('says why nothing moved when the service has no steps yet', () => {
    expect(transferReport(offboarded, 'report_reviews', [], 'no reports yet')).toMatchObject({ transferred: 0, detail: 'no reports yet' });
  });
});

describe('isEvent', () => {
  const envelope = { id: 'e1', type: MemberDeleted.type, version: 1, corpId: 'c1', occurredAt: '', payload: {} };
  it('matches an event by its type and version, against any of the definitions given', () => {
    expect(isEvent(envelope, MemberDeleted)).toBe(true);
    expect(isEvent(envelope, MemberOffboarded)).toBe(false);
    expect(isEvent(envelope, MemberOffboarded, MemberDeleted)).toBe(true);
    expect(isEvent({ ...envelope, version: 2 }, MemberDeleted)).toBe(false);
  });
});
