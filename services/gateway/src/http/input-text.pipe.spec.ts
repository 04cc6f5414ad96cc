import { DomainError } from '@atrium/platform';
import { InputTextPipe } from './input-text.pipe';

describe('the input text pipe', () => {
  const pipe = new InputTextPipe();
  const refusal = (run: () => unknown): DomainError => {
    try {
      run();
    } catch (error) {
      return error as DomainError;
    }
    throw new Error('expected a refusal');
  };

  it('refuses a bad body field, query parameter or path parameter with VALIDATION_FAILED naming it', () => {
    const body = refusal(() => pipe.transform({ content: { text: 'a\u0000b' } }, { type: 'body' }));
    expect(body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'content.text: must not contain NUL characters',
      details: { fields: [{ field: 'content.text', reasons: ['must not contain NUL characters'] }] },
    });
    expect(refusal(() => pipe.transform({ q: 'a\ud800' }, { type: 'query' })).message).toMatch(/^q: /);
    expect(refusal(() => pipe.transform('a\u0000', { type: 'param', data: 'userid' })).message).toMatch(/^userid: /);
  });

  it('passes good input through unchanged and leaves custom parameters alone', () => {
    const body = { name: '研发', ids: [1, 2] };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    const caller = { userId: 'a\u0000' };
    expect(pipe.transform(caller, { type: 'custom' })).toBe(caller);
  });
});
