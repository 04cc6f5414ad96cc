import { DomainError } from '@atrium/platform';
import { appAgentidOf, normaliseUserids } from './app-caller';
import { sendDigest } from './app-messages.service';

const caller = (userId: string, roles: string[] = []) => ({ corpId: 'c1', userId, roles });

describe('the app identity of a call', () => {
  it("reads the agentid of the gateway's app identity", () => {
    expect(appAgentidOf(caller('app:1000002'))).toBe(1_000_002);
  });

  it.each([
    ['a member', caller('zhangsan')],
    ['a super admin', caller('admin', ['super_admin'])],
    ['the directory-sync credential', caller('app:directory-sync', ['directory_sync'])],
    ['a malformed app id', caller('app:01')],
    ['an agentid past 32 bits', caller('app:9999999999')],
  ])('refuses %s', (_, identity) => {
    let failure: unknown;
    try {
      appAgentidOf(identity);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'NOT_AN_APP' } });
  });
});

describe('the digest of the duplicate check', () => {
  it('is the same for the same type, content and recipients in any order', () => {
    expect(sendDigest('text', { text: 'hi' }, ['b', 'a'])).toBe(sendDigest('text', { text: 'hi' }, ['a', 'b']));
  });

  it('differs when the content, the type or a recipient differs', () => {
    const base = sendDigest('text', { text: 'hi' }, ['a']);
    expect(sendDigest('text', { text: 'hi!' }, ['a'])).not.toBe(base);
    expect(sendDigest('markdown', { text: 'hi' }, ['a'])).not.toBe(base);
    expect(sendDigest('text', { text: 'hi' }, ['a', 'b'])).not.toBe(base);
  });

  it('normalises userids as the services keep them', () => {
    expect(normaliseUserids([' ZhangSan', 'zhangsan', '', 'LiSi '])).toEqual(['zhangsan', 'lisi']);
  });
});
