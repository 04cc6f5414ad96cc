import { DomainError } from '@atrium/platform';
import { invalidParts, parseAddressing } from './wecom-addressing';
import { errcodeFor } from './wecom-errcodes';
import { WecomError } from './wecom-error';

const errcodeOf = (body: { touser?: string; toparty?: string; totag?: string }) => {
  try {
    parseAddressing(body);
    return undefined;
  } catch (error) {
    return error instanceof WecomError ? error.errcode : error;
  }
};

describe('addressing of message/send', () => {
  it('splits touser, toparty and totag on "|", lower-cases userids and keeps malformed ids apart', () => {
    const parsed = parseAddressing({ touser: 'ZhangSan| lisi ||zhangsan|bad user', toparty: '2|x|3', totag: ' 7 ' });
    expect(parsed.addressing).toEqual({ all: false, userids: ['zhangsan', 'lisi'], departmentIds: [2, 3], tagIds: [7] });
    expect(parsed.malformed).toEqual({ userids: ['bad user'], departmentIds: ['x'], tagIds: [] });
  });

  it('reads "@all" as everyone the app sees, whatever toparty and totag say', () => {
    expect(parseAddressing({ touser: '@all', toparty: '2' }).addressing).toEqual({ all: true, userids: [], departmentIds: [], tagIds: [] });
  });

  it("enforces WeCom's bounds: 1000 users, 100 departments, 100 tags, at least one recipient", () => {
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('|');
    expect(errcodeOf({ touser: many(1_001, (i) => `u${i}`) })).toBe(40032);
    expect(errcodeOf({ touser: many(1_000, (i) => `u${i}`) })).toBeUndefined();
    expect(errcodeOf({ toparty: many(101, (i) => String(i + 2)) })).toBe(82002);
    expect(errcodeOf({ totag: many(101, (i) => String(i + 1)) })).toBe(82003);
    expect(errcodeOf({ touser: ' | ', toparty: '' })).toBe(82001);
  });

  it('answers invalid parts "|"-joined: the malformed first, then what the directory and the range refused', () => {
    const parsed = parseAddressing({ touser: 'a|b c', toparty: 'x|9' });
    const audience = { userids: ['a'], invalidUserids: ['ghost'], invalidDepartmentIds: [9], invalidTagIds: [] };
    expect(invalidParts(parsed, audience)).toEqual({ invaliduser: 'b c|ghost', invalidparty: 'x|9', invalidtag: '' });
  });
});

describe("errcodes of messaging's failures on message/* and appchat/*", () => {
  const failure = (code: DomainError['code'], details?: Record<string, unknown>) => new DomainError(code, 'failed', details);
  it.each<[string, DomainError, 'message' | 'appchat', number]>([
    ['an unknown chat', failure('NOT_FOUND', { field: 'chatid' }), 'appchat', 86003],
    ["another app's chat", failure('FORBIDDEN', { field: 'chatid' }), 'appchat', 86008],
    ['a member outside the range', failure('FORBIDDEN', { field: 'userids' }), 'appchat', 86007],
    ['an unknown member', failure('NOT_FOUND', { field: 'add_userids' }), 'appchat', 86007],
    ['a taken chatid', failure('ALREADY_EXISTS', { field: 'chatid' }), 'appchat', 86215],
    ['an owner outside the chat', failure('VALIDATION_FAILED', { field: 'owner' }), 'appchat', 86005],
    ['a dissolved chat', failure('PRECONDITION_FAILED', { field: 'chatid', reason: 'DISSOLVED' }), 'appchat', 49008],
    ['a caller that is not an app', failure('FORBIDDEN', { reason: 'NOT_AN_APP' }), 'message', 48002],
    ["an unknown or another app's msgid", failure('NOT_FOUND', { field: 'msgid' }), 'message', 40058],
    ['a recall after 24 hours', failure('PRECONDITION_FAILED', { field: 'msgid' }), 'message', 40058],
    ['an unknown media id', failure('NOT_FOUND', { field: 'content.mediaId' }), 'message', 40007],
    ['an unknown type', failure('VALIDATION_FAILED', { field: 'type' }), 'message', 40008],
    ['anything else (left to the shared mapping)', failure('INTERNAL'), 'message', -1],
  ])('maps %s', (_, error, api, errcode) => {
    expect(errcodeFor(error, api)).toBe(errcode);
  });
});
