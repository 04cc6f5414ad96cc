import { MemberAttribute } from './member-attribute';
import { validateAttributeValues } from './member-attribute-rules';

const defined: MemberAttribute[] = [
  { name: 'Badge', type: 'text', order: 0 },
  { name: 'Homepage', type: 'url', order: 1 },
];

describe('custom attribute values', () => {
  it('takes the type and spelling of the definition, keeps a url title, and drops empty values', () => {
    expect(
      validateAttributeValues(
        [
          { name: ' badge ', value: ' A-1 ', title: 'ignored for text' },
          { name: 'HOMEPAGE', type: 'url', value: 'https://acme.test/a?b=c#d', title: 'Home' },
        ],
        defined,
      ),
    ).toEqual([
      { name: 'Badge', type: 'text', value: 'A-1', title: '' },
      { name: 'Homepage', type: 'url', value: 'https://acme.test/a?b=c#d', title: 'Home' },
    ]);
    expect(
      validateAttributeValues(
        [
          { name: 'Badge', value: '' },
          { name: 'Homepage', value: '' },
        ],
        defined,
      ),
    ).toEqual([]);
  });

  it('names the attribute that is not defined, given twice, of another type or not a web URL', () => {
    const failure = (values: Parameters<typeof validateAttributeValues>[0]) => {
      try {
        validateAttributeValues(values, defined);
      } catch (error) {
        return error;
      }
      throw new Error('accepted');
    };
    expect(failure([{ name: 'Desk', value: 'B2' }])).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'extattrs[0].name', attribute: 'Desk' },
    });
    expect(
      failure([
        { name: 'Badge', value: '1' },
        { name: 'BADGE', value: '2' },
      ]),
    ).toMatchObject({
      details: { field: 'extattrs[1].name', attribute: 'Badge' },
    });
    expect(failure([{ name: 'Badge', type: 'url', value: 'https://acme.test' }])).toMatchObject({
      details: { field: 'extattrs[0].type', attribute: 'Badge' },
    });
    for (const url of ['acme.test', 'ftp://acme.test', 'javascript:alert(1)', 'http://', 'https://acme .test']) {
      expect(failure([{ name: 'Homepage', value: url }])).toMatchObject({ details: { field: 'extattrs[0].value', attribute: 'Homepage' } });
    }
    expect(failure([{ name: 'Badge', value: 'x'.repeat(65) }])).toMatchObject({ details: { field: 'extattrs[0].value' } });
    expect(failure([{ name: 'Homepage', value: 'https://acme.test', title: 't'.repeat(33) }])).toMatchObject({
      details: { field: 'extattrs[0].title' },
    });
  });
});
