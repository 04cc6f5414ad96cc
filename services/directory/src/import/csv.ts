/**
 * RFC 4180 CSV, as spreadsheets write it: fields separated by commas, records by CRLF (a bare LF
 * or CR is accepted too), a field with a comma, quote or line break enclosed in double quotes with
 * inner quotes doubled, an optional UTF-8 byte-order mark. Pure functions, no I/O.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts (a quoted field may span several lines). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const BOM = 0xfeff;

function countLineBreaks(text: string): number {
  let breaks = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) breaks += 1;
  }
  return breaks;
}

/**
 * Parses the whole text. Records whose fields are all empty (blank lines, or the ",,,," rows
 * spreadsheets leave below the data) are skipped. A quote inside an unquoted field is kept as a
 * literal character (hand-edited files have them: `27" monitor`); an unclosed quoted field or text
 * after a closing quote is a syntax error, because the record boundaries can no longer be trusted.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = n > 0 && text.charCodeAt(0) === BOM ? 1 : 0;
  let line = 1;
  while (i < n) {
    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        const openedOn = line;
        value = '';
        i += 1;
        for (;;) {
          const close = text.indexOf('"', i);
          if (close === -1) throw new CsvSyntaxError(openedOn, 'a quoted field is never closed (a missing closing quote)');
          const chunk = text.slice(i, close);
          line += countLineBreaks(chunk);
          value += chunk;
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            i = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        const next = text.charCodeAt(i);
        if (i < n && next !== COMMA && next !== CR && next !== LF) {
          throw new CsvSyntaxError(line, 'unexpected text after a closing quote (a quote inside a quoted field must be doubled: "")');
        }
      } else {
        let end = i;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c === COMMA || c === CR || c === LF) break;
          end += 1;
        }
        value = text.slice(i, end);
        i = end;
      }
      record.fields.push(value);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i += 1;
        continue;
      }
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line += 1;
      break;
    }
    if (record.fields.some((f) => f !== '')) records.push(record);
  }
  return records;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function formatCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Serialises records with CRLF line ends. With `bom` (the default) the text starts with a UTF-8
 * byte-order mark: without it, Excel opens a UTF-8 file in the local code page and garbles
 * Chinese names. parseCsv strips it again.
 */
export function formatCsv(records: readonly (readonly string[])[], options: { bom?: boolean } = {}): string {
  const lines = records.map((fields) => fields.map(formatCsvField).join(','));
  return `${options.bom === false ? '' : '\uFEFF'}${lines.map((l) => `${l}\r\n`).join('')}`;
}
