import { DomainError, ErrorCode, ERROR_CODES } from '@atrium/platform';
import { errcodeFor, WecomApi, wecomFailureFor } from './wecom-errcodes';

const failure = (code: ErrorCode, details?: Record<string, unknown>, message = 'failed') => new DomainError(code, message, details);

describe('WeCom errcodes for directory failures', () => {
  it.each<[string, DomainError, WecomApi, number]>([
    ['a department name taken among siblings', failure('ALREADY_EXISTS', { field: 'name' }), 'department', 60008],
    ['a department id taken', failure('ALREADY_EXISTS', { field: 'id' }), 'department', 60008],
    ['a userid taken', failure('ALREADY_EXISTS', { field: 'userid' }), 'user', 60102],
    ['a mobile taken', failure('ALREADY_EXISTS', { field: 'mobile' }), 'user', 60104],
    ['an email taken', failure('ALREADY_EXISTS', { field: 'email' }), 'user', 60106],
    ['an unknown parent', failure('NOT_FOUND', { field: 'parent_id', departmentId: 9 }), 'department', 60004],
    ['an unknown department', failure('NOT_FOUND', { field: 'id', departmentId: 9 }), 'department', 60003],
    ["an unknown member's department", failure('NOT_FOUND', { field: 'department', departmentId: 9 }), 'user', 60003],
    ['an unknown member', failure('NOT_FOUND', { userid: 'x' }), 'user', 60111],
    ['a department with members', failure('DEPARTMENT_NOT_EMPTY', { reason: 'MEMBERS' }), 'department', 60005],
    ['a department with children', failure('DEPARTMENT_NOT_EMPTY', { reason: 'CHILDREN' }), 'department', 60006],
    ['the root deleted', failure('PRECONDITION_FAILED', { departmentId: 1 }), 'department', 60007],
    ['a move into its own subtree', failure('DEPARTMENT_CYCLE'), 'department', 60010],
    ['a write without the sync secret', failure('FORBIDDEN'), 'user', 60011],
    ['a sixteenth level', failure('DEPARTMENT_TOO_DEEP'), 'department', 81002],
    ['a malformed userid', failure('VALIDATION_FAILED', { field: 'userid' }), 'user', 40003],
    ['a malformed mobile', failure('VALIDATION_FAILED', { field: 'mobile' }, 'mobile must be a phone number'), 'user', 60103],
    ['neither mobile nor email', failure('VALIDATION_FAILED', { field: 'mobile' }, 'a member needs a mobile or an email'), 'user', 60129],
    ['a bad department name', failure('VALIDATION_FAILED', { field: 'name' }), 'department', 60001],
    ['a bad member name', failure('VALIDATION_FAILED', { field: 'name' }), 'user', 60112],
    ['an offboarded member', failure('MEMBER_OFFBOARDED', { userid: 'x' }), 'user', 60111],
    ['a wrong secret', failure('INVALID_CREDENTIALS'), 'other', 40001],
    ['an unknown corp', failure('CORP_NOT_FOUND'), 'other', 40013],
    ['an internal failure', failure('INTERNAL'), 'user', -1],
  ])('maps %s', (_, error, api, errcode) => {
    expect(errcodeFor(error, api)).toBe(errcode);
  });

  it('has an errcode for every platform error code', () => {
    for (const code of ERROR_CODES) expect(typeof errcodeFor(failure(code), 'other')).toBe('number');
  });
});

describe('WeCom errcodes for the cards, media and archive pull (one module for every /cgi-bin/ API)', () => {
  it.each<[string, DomainError, WecomApi, number, string]>([
    [
      'a spent response_code',
      failure('PRECONDITION_FAILED', { reason: 'RESPONSE_CODE_USED' }),
      'template_card',
      40058,
      'response_code has been used',
    ],
    [
      'an unknown response_code',
      failure('NOT_FOUND', { reason: 'RESPONSE_CODE_INVALID' }),
      'template_card',
      40058,
      'invalid response_code',
    ],
    [
      'an expired response_code',
      failure('PRECONDITION_FAILED', { reason: 'RESPONSE_CODE_EXPIRED' }),
      'template_card',
      40058,
      'response_code expired',
    ],
    ['a recalled card', failure('PRECONDITION_FAILED', { reason: 'CARD_GONE' }), 'template_card', 40058, 'recalled or its group dissolved'],
    ['no recipient of the card', failure('NOT_FOUND', { field: 'userids' }), 'template_card', 81013, 'all userids are invalid'],
    ['a caller that is not an app, on a card', failure('FORBIDDEN', { reason: 'NOT_AN_APP' }), 'template_card', 48002, 'failed'],
    ['an empty upload', failure('VALIDATION_FAILED', { field: 'media', reason: 'EMPTY' }), 'media', 44001, 'failed'],
    ['a malformed upload', failure('VALIDATION_FAILED', { field: 'media', reason: 'MALFORMED' }), 'media', 47001, 'failed'],
    ['an image too large', failure('PAYLOAD_TOO_LARGE', { type: 'image' }), 'media', 40009, 'failed'],
    ['a pull with archiving off', failure('PRECONDITION_FAILED', { reason: 'ARCHIVING_DISABLED' }), 'msgaudit', 48002, 'failed'],
    ['a pull without a public key', failure('PRECONDITION_FAILED', { reason: 'NO_PUBLIC_KEY' }), 'msgaudit', 48002, 'failed'],
  ])('maps %s', (_, error, api, errcode, errmsg) => {
    expect(wecomFailureFor(error, api)).toEqual({ errcode, errmsg: expect.stringContaining(errmsg) as string });
  });

  it('leaves the card wording to update_template_card: a spent code elsewhere is an ordinary failure', () => {
    expect(wecomFailureFor(failure('PRECONDITION_FAILED', { reason: 'RESPONSE_CODE_USED' }), 'message')).toEqual({
      errcode: 40058,
      errmsg: 'failed',
    });
  });
});
