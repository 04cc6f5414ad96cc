import { CsvSyntaxError, formatCsv, parseCsv } from './csv';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('CSV parsing', () => {
  it('splits plain fields and records, CRLF or LF', () => {
    expect(fields('a,b,c\r\n1,2,3\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('keeps empty fields, leading, trailing and in the middle', () => {
    expect(fields(',x,,\n')).toEqual([['', 'x', '', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(fields('"Smith, John","say ""hi""","two\r\nlines",plain\r\n')).toEqual([['Smith, John', 'say "hi"', 'two\r\nlines', 'plain']]);
    expect(fields('""\n"",x\n')).toEqual([['', 'x']]);
  });

  it('strips a UTF-8 byte-order mark', () => {
    expect(fields('\uFEFFuserid,name\r\nzhangsan,张三\r\n')).toEqual([
      ['userid', 'name'],
      ['zhangsan', '张三'],
    ]);
  });

  it('numbers records by the line they start on, counting line breaks inside quotes', () => {
    const records = parseCsv('h1,h2\r\n"multi\r\nline",x\r\n\r\nlast,y\n"a\nb\nc",z');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 6]);
  });

  it('skips blank lines and rows of empty fields that spreadsheets leave behind', () => {
    expect(fields('a,b\n\n,\n1,2\n,,\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('keeps a stray quote inside an unquoted field as a character', () => {
    expect(fields('27" monitor,x\n')).toEqual([['27" monitor', 'x']]);
  });

  it('refuses an unclosed quote and text after a closing quote, naming the line', () => {
    const syntaxError = (text: string) => {
      try {
        parseCsv(text);
      } catch (error) {
        return error;
      }
      throw new Error('parsed without an error');
    };
    expect(syntaxError('a,b\n1,"open\n\n')).toEqual(expect.objectContaining({ name: 'CsvSyntaxError', line: 2 }));
    expect(syntaxError('a,b\n1,2\n"x"y,3\n')).toEqual(expect.objectContaining({ name: 'CsvSyntaxError', line: 3 }));
    expect(syntaxError('a,b\n1,2\n"x"y,3\n')).toBeInstanceOf(CsvSyntaxError);
  });

  it('parses an empty text as no records', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
  });
});

describe('CSV writing', () => {
  it('quotes only fields that need it and ends every record with CRLF, after a BOM', () => {
    expect(formatCsv([['a', 'b,c', 'say "hi"', 'two\nlines', ' padded', '']])).toBe(
      '\uFEFFa,"b,c","say ""hi""","two\nlines"," padded",\r\n',
    );
    expect(formatCsv([['x']], { bom: false })).toBe('x\r\n');
  });

  it('round-trips whatever it writes', () => {
    const records = [
      ['userid', 'name', 'address'],
      ['li.si', '李四', '1 Main St, "Building" 2\r\nFloor 3'],
      ['', ',', '"'],
      ['x', ' y ', 'z\rw'],
    ];
    expect(fields(formatCsv(records))).toEqual(records);
  });
});
