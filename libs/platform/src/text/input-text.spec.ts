import { assertStorableText, findInputFault, MAX_INPUT_DEPTH, textFault } from './input-text';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('the text rules of input', () => {
  it.each([
    ['plain ASCII', 'hello'],
    ['Chinese', '张三'],
    ['an emoji (a surrogate pair)', 'ok 👍'],
    ['the replacement character itself', 'a\ufffdb'],
    ['other control characters', 'tab\there\r\n'],
    ['an empty string', ''],
  ])('accepts %s', (_, value) => {
    expect(textFault(value)).toBeUndefined();
  });

  it.each([
    ['a NUL', 'a\u0000b', 'NUL'],
    ['a lone high surrogate', 'a\ud800b', 'surrogate'],
    ['a lone low surrogate', 'a\udc00b', 'surrogate'],
    ['a high surrogate at the end', 'ab\ud83d', 'surrogate'],
    ['two high surrogates', '\ud83d\ud83d\udc4d', 'surrogate'],
  ])('refuses %s', (_, value, reason) => {
    expect(textFault(value)).toContain(reason);
  });

  it('names the path of the first bad string in a body', () => {
    expect(findInputFault({ clientMsgId: 'c1', content: { text: 'a\u0000b' } })).toEqual({
      field: 'content.text',
      reason: 'must not contain NUL characters',
    });
    expect(findInputFault({ userids: ['ok', 'a\ud800'] })).toEqual({ field: 'userids.1', reason: expect.stringContaining('surrogate') });
    expect(findInputFault({ 'a\u0000': 1 })).toEqual({ field: '"a\\u0000"', reason: '(a key) must not contain NUL characters' });
  });

  it('names a bare value by the name it was given, or root', () => {
    expect(findInputFault('a\u0000b', 'userid')).toEqual({ field: 'userid', reason: 'must not contain NUL characters' });
    expect(findInputFault('a\u0000b')).toEqual({ field: 'root', reason: 'must not contain NUL characters' });
    expect(findInputFault({ userid: 'a\u0000' }, '')?.field).toBe('userid');
  });

  it(`accepts nesting up to ${MAX_INPUT_DEPTH} levels and refuses deeper, naming the top-level field`, () => {
    expect(findInputFault({ deep: nested(MAX_INPUT_DEPTH - 1) })).toBeUndefined();
    expect(findInputFault({ deep: nested(MAX_INPUT_DEPTH) })).toEqual({ field: 'deep', reason: expect.stringContaining('nest deeper') });
    expect(findInputFault(nested(5_000))).toEqual({ field: '0', reason: expect.stringContaining('nest deeper') });
  });

  it('accepts ordinary input and leaves non-plain objects alone', () => {
    expect(findInputFault({ name: 'R&D', ids: [1, 2, 3], flag: true, none: null, nested: { name: '研发' } })).toBeUndefined();
    const cyclic: Record<string, unknown> = { text: 'a\u0000' };
    cyclic.self = cyclic;
    expect(
      findInputFault(
        new (class Request {
          body = cyclic;
        })(),
      ),
    ).toBeUndefined();
    expect(findInputFault(Buffer.from('a\u0000b'))).toBeUndefined();
    expect(findInputFault(undefined)).toBeUndefined();
  });
});

describe('storable text in a service', () => {
  it('refuses a NUL with VALIDATION_FAILED naming the field, and accepts ordinary text', () => {
    let thrown: unknown;
    try {
      assertStorableText('a\u0000b', 'name');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'name' } });
    expect(() => assertStorableText('研发 R&D 👍', 'name')).not.toThrow();
  });
});
