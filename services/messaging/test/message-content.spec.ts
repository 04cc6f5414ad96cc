import { DomainError } from '@atrium/platform';
import { parseContent } from '../src/messages/message-content';
import { sendFingerprint } from '../src/messages/send-fingerprint';

const refusal = (type: string, content: unknown): DomainError | undefined => {
  try {
    parseContent(type, JSON.stringify(content));
    return undefined;
  } catch (error) {
    return error as DomainError;
  }
};

describe('content PostgreSQL cannot store', () => {
  it.each([
    ['a NUL in a text', 'text', { text: 'bad\u0000text' }, 'content.text'],
    ['a lone high surrogate', 'text', { text: 'broken \ud83d' }, 'content.text'],
    ['a lone low surrogate', 'text', { text: '\ude00 broken' }, 'content.text'],
    ['a NUL in a mention', 'text', { text: 'hi', mentions: ['bob', 'ev\u0000e'] }, 'content.mentions.1'],
    ['a NUL in a nested article', 'news', { articles: [{ title: 'ok', description: '\u0000' }] }, 'content.articles.0.description'],
    ['a NUL in a key', 'location', { latitude: 1, longitude: 2, ['ti\u0000tle']: 'x' }, 'content.ti\u0000tle'],
  ])('refuses %s as VALIDATION_FAILED, naming the field', (_name, type, content, field) => {
    expect(refusal(type, content)).toMatchObject({ code: 'VALIDATION_FAILED', details: { field, reason: 'UNSTORABLE_TEXT' } });
  });

  it('accepts text with paired surrogates (emoji) and other control characters', () => {
    expect(refusal('text', { text: 'ok 😀 \u0007 tab\tnewline\n' })).toBeUndefined();
  });
});

describe('the fingerprint of a send', () => {
  it('is the same for the same request whatever the key order, and differs with content or burn-after-reading', () => {
    const base = { type: 'text' as const, content: { text: 'hi', mentions: [], mentionAll: false }, burnAfterReading: false };
    expect(sendFingerprint({ ...base, content: { mentionAll: false, mentions: [], text: 'hi' } })).toBe(sendFingerprint(base));
    expect(sendFingerprint({ ...base, content: { ...base.content, text: 'ho' } })).not.toBe(sendFingerprint(base));
    expect(sendFingerprint({ ...base, burnAfterReading: true })).not.toBe(sendFingerprint(base));
  });
});

describe('content nested deeper than the call stack', () => {
  it('is judged without overflowing the stack', () => {
    const deep = `{"text":"hi","mentions":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(() => parseContent('text', deep)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }) as Error);
    const deepNul = `{"text":"hi","x":${'['.repeat(20_000)}"\\u0000"${']'.repeat(20_000)}}`;
    expect(() => parseContent('text', deepNul)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'UNSTORABLE_TEXT' }) }) as Error,
    );
  });
});
