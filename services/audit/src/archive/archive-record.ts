import { createHash } from 'node:crypto';

export type RecordKind = 'message' | 'conversation' | 'admin_action' | 'login' | 'access' | 'event';

/** What an event becomes before it is encrypted and chained. */
export interface RecordDraft {
  corpId: string;
  /** The record id: the event id for ingested events, a fresh UUID for the archive's own records. */
  eventId: string;
  kind: RecordKind;
  eventType: string;
  occurredAt: Date;
  conversationId: string;
  actor: string;
  messageType: string;
  /** The whole event as JSON: what is encrypted. */
  document: string;
  /** Plaintext to index for keyword search (messages only). */
  searchText?: string;
  /** Members a conversation gained (search by participant). */
  members?: string[];
}

/** A record as stored: everything in it but `archivedAt` is covered by its hash. */
export interface ArchivedRecord {
  corpId: string;
  seq: number;
  eventId: string;
  kind: string;
  eventType: string;
  occurredAt: Date;
  conversationId: string;
  actor: string;
  messageType: string;
  dataKeyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  prevHash: Buffer;
  hash: Buffer;
}

export const GENESIS_HASH = Buffer.alloc(32);

/** Associated data of a record's encryption: a ciphertext moved to another record fails to open. */
export function recordAad(corpId: string, eventId: string, dataKeyId: string): Buffer {
  return Buffer.from(`atrium-audit-record\u0000${corpId}\u0000${eventId}\u0000${dataKeyId}`);
}

function lengthOf(bytes: Buffer): Buffer {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length);
  return length;
}

function fieldsOf(r: Omit<ArchivedRecord, 'prevHash' | 'hash'>): Buffer[] {
  const text = (value: string) => Buffer.from(value, 'utf8');
  return [
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
}

/** Length-prefixed, fixed field order: two different records never share canonical bytes. */
export function canonicalBytes(r: Omit<ArchivedRecord, 'prevHash' | 'hash'>): Buffer {
  return Buffer.concat(fieldsOf(r).flatMap((bytes) => [lengthOf(bytes), bytes]));
}

/** hash(n) = SHA-256(hash(n − 1) ‖ canonical bytes of record n), hashed field by field. */
export function chainHash(prevHash: Buffer, record: Omit<ArchivedRecord, 'prevHash' | 'hash'>): Buffer {
  const hash = createHash('sha256').update(prevHash);
  for (const bytes of fieldsOf(record)) hash.update(lengthOf(bytes)).update(bytes);
  return hash.digest();
}
