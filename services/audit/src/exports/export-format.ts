import { createHmac } from 'node:crypto';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Who exported what, when: the visible watermark at the top of every file. */
export interface ExportHeader {
  exportId: string;
  corpId: string;
  officer: string;
  createdAt: Date;
  filter: Record<string, unknown>;
}

/** One exported message. */
export interface ExportRow {
  seq: number;
  eventId: string;
  eventType: string;
  conversationId: string;
  sender: string;
  messageType: string;
  sentAt: Date;
  /** The message's text (every string of its content). */
  text: string;
  content: unknown;
}

/**
 * The invisible token: 16 bytes written as 64 zero-width characters (two bits each) after an
 * invisible separator (U+2063). Appended to every row's text, it survives copying the text into
 * another document, and leads back to the export (its SHA-256 is the export's token hash).
 */
const MARK = '\u2063';
const SYMBOLS = ['\u200b', '\u200c', '\u200d', '\u2060'];
const INVISIBLE = new RegExp(`${MARK}((?:${SYMBOLS.join('|')}){64})`, 'gu');

export function encodeInvisible(token: Buffer): string {
  let out = MARK;
  for (const byte of token) for (let shift = 6; shift >= 0; shift -= 2) out += SYMBOLS[(byte >> shift) & 3];
  return out;
}

/** Every invisible token in a text (a leaked line, a pasted paragraph). */
export function findInvisibleTokens(text: string): Buffer[] {
  return [...text.matchAll(INVISIBLE)].map((match) => {
    const symbols = [...match[1]].map((ch) => SYMBOLS.indexOf(ch));
    const bytes = Buffer.alloc(16);
    for (let i = 0; i < 16; i++)
      bytes[i] = (symbols[i * 4] << 6) | (symbols[i * 4 + 1] << 4) | (symbols[i * 4 + 2] << 2) | symbols[i * 4 + 3];
    return bytes;
  });
}

/** The visible per-row trace mark: HMAC of the row's seq under the export's token (16 hex). */
export function rowMark(token: Buffer, seq: number): string {
  return createHmac('sha256', token).update(`atrium-export-row\u0000${seq}`).digest('hex').slice(0, 16);
}

export function watermarkText(h: ExportHeader): string {
  return (
    `CONFIDENTIAL - Atrium compliance export ${h.exportId} of corp ${h.corpId}, by compliance officer ${h.officer} ` +
    `at ${h.createdAt.toISOString()}. Every row is traceable to this export; do not forward.`
  );
}

const CSV_COLUMNS = [
  'seq',
  'event_id',
  'sent_at',
  'conversation_id',
  'sender',
  'message_type',
  'event_type',
  'text',
  'content_json',
  'mark',
];

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma, CR or LF (quotes doubled). A
 * field a spreadsheet would run as a formula (= + - @, or a leading tab or CR) gets a leading
 * apostrophe first, so it is shown as text.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csvRecord = (fields: string[]) => `${fields.map(csvField).join(',')}\r\n`;

/** The top of the file: the watermark (JSONL: its first line; CSV: its first record, then the column names). */
export function exportHeader(format: ExportFormat, h: ExportHeader): string {
  const watermark = watermarkText(h);
  if (format === 'csv') return csvRecord([watermark]) + csvRecord(CSV_COLUMNS);
  return `${JSON.stringify({
    watermark,
    format: 'atrium-compliance-export/v1',
    exportId: h.exportId,
    corpId: h.corpId,
    officer: h.officer,
    exportedAt: h.createdAt.toISOString(),
    filter: h.filter,
  })}\n`;
}

export function exportRow(format: ExportFormat, row: ExportRow, token: Buffer): string {
  const text = `${row.text}${encodeInvisible(token)}`;
  const mark = rowMark(token, row.seq);
  if (format === 'csv') {
    return csvRecord([
      String(row.seq),
      row.eventId,
      row.sentAt.toISOString(),
      row.conversationId,
      row.sender,
      row.messageType,
      row.eventType,
      text,
      JSON.stringify(row.content ?? null),
      mark,
    ]);
  }
  return `${JSON.stringify({
    seq: row.seq,
    eventId: row.eventId,
    eventType: row.eventType,
    conversationId: row.conversationId,
    sender: row.sender,
    messageType: row.messageType,
    sentAt: row.sentAt.toISOString(),
    text,
    content: row.content ?? null,
    mark,
  })}\n`;
}
