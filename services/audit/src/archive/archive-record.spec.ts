import { createHash, randomBytes } from 'node:crypto';
import { ArchivedRecord, canonicalBytes, chainHash } from './archive-record';

type Unchained = Omit<ArchivedRecord, 'prevHash' | 'hash'>;

/** The definition, written the slow way: each field's 4-byte big-endian length, then its bytes. */
function reference(r: Unchained): Buffer {
  const text = (value: string) => Buffer.from(value, 'utf8');
  const fields = [
    text('atrium-audit-record-v1'),
    text(r.corpId),
    text(String(r.seq)),
    text(r.eventId),
    text(r.kind),
    text(r.eventType),
    text(r.occurredAt.toISOString()),
    text(r.conversationId),
    text(r.actor),
    text(r.messageType),
    text(r.dataKeyId),
    r.nonce,
    r.ciphertext,
  ];
  return Buffer.concat(
    fields.flatMap((bytes) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

describe('canonical bytes of a record (the hash chain)', () => {
  const record = (overrides: Partial<Unchained> = {}): Unchained => ({
    corpId: 'corp-1',
    seq: 42,
    eventId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    kind: 'message',
    eventType: 'messaging.message.sent',
    occurredAt: new Date('2026-11-24T08:00:00.123Z'),
    conversationId: 'conv-会议',
    actor: 'ünïcode 用户',
    messageType: 'text',
    dataKeyId: '9007199254740993',
    nonce: randomBytes(12),
    ciphertext: randomBytes(300),
    ...overrides,
  });

  it('are the length-prefixed fields in their fixed order', () => {
    for (const r of [
      record(),
      record({ conversationId: '', actor: '', messageType: '', ciphertext: Buffer.alloc(16) }),
      record({ seq: 1 }),
    ]) {
      expect(canonicalBytes(r).equals(reference(r))).toBe(true);
    }
  });

  it('chain as SHA-256 of the previous hash and the canonical bytes', () => {
    const prev = randomBytes(32);
    const r = record();
    expect(chainHash(prev, r).equals(createHash('sha256').update(prev).update(reference(r)).digest())).toBe(true);
  });
});
