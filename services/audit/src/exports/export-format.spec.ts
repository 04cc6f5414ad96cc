import { randomBytes } from 'node:crypto';
import { csvField, encodeInvisible, exportHeader, exportRow, findInvisibleTokens, rowMark } from './export-format';

describe('export format', () => {
  const token = randomBytes(16);
  const row = {
    seq: 7,
    eventId: '0b8c9d3e-1111-4222-8333-944455556666',
    eventType: 'messaging.message.sent',
    conversationId: 'c1',
    sender: 'alice',
    messageType: 'text',
    sentAt: new Date('2025-03-01T08:00:00Z'),
    text: '=HYPERLINK("http://evil")',
    content: { text: '=HYPERLINK("http://evil")' },
  };

  it('round-trips the invisible token, wherever the text is pasted', () => {
    const invisible = encodeInvisible(token);
    expect(invisible).toHaveLength(65);
    expect(invisible).toMatch(/^(?:\u2063|\u200b|\u200c|\u200d|\u2060)+$/u);
    const found = findInvisibleTokens(`someone pasted 预算 ${invisible} into an email`);
    expect(found).toHaveLength(1);
    expect(found[0].equals(token)).toBe(true);
    expect(findInvisibleTokens('nothing here')).toEqual([]);
  });

  it('neutralises spreadsheet formulas and quotes fields as RFC 4180 asks', () => {
    expect(csvField('=1+2')).toBe("'=1+2");
    expect(csvField('+86 10')).toBe("'+86 10");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('预算已经批准了')).toBe('预算已经批准了');
  });

  it('writes a watermark first and a traceable row after it', () => {
    const header = { exportId: 'e1', corpId: 'corp', officer: 'olivia', createdAt: new Date('2025-03-02T00:00:00Z'), filter: {} };
    const csv = exportHeader('csv', header) + exportRow('csv', row, token);
    const lines = csv.split('\r\n');
    expect(lines[0]).toContain('CONFIDENTIAL - Atrium compliance export e1 of corp corp, by compliance officer olivia');
    expect(lines[1]).toBe('seq,event_id,sent_at,conversation_id,sender,message_type,event_type,text,content_json,mark');
    expect(lines[2].startsWith(`7,${row.eventId},2025-03-01T08:00:00.000Z,c1,alice,text,messaging.message.sent,"'=HYPERLINK`)).toBe(true);
    expect(lines[2].endsWith(`,${rowMark(token, 7)}`)).toBe(true);
    expect(findInvisibleTokens(lines[2])[0].equals(token)).toBe(true);

    const jsonl = (exportHeader('jsonl', header) + exportRow('jsonl', row, token)).trimEnd().split('\n');
    expect(JSON.parse(jsonl[0])).toMatchObject({ exportId: 'e1', officer: 'olivia', corpId: 'corp' });
    const parsed = JSON.parse(jsonl[1]) as { text: string; mark: string; seq: number };
    expect(parsed.text.startsWith('=HYPERLINK')).toBe(true);
    expect(parsed.mark).toBe(rowMark(token, 7));
    expect(findInvisibleTokens(parsed.text)[0].equals(token)).toBe(true);
  });
});
