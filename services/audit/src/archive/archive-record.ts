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

const VERSION_TAG = 'atrium-audit-record-v1';

/** The text fields, in canonical order; the nonce and the ciphertext follow them. */
function textFieldsOf(r: Omit<ArchivedRecord, 'prevHash' | 'hash'>): string[] {
  return [
    VERSION_TAG,
    r.corpId,
    String(r.seq),
    r.eventId,
    r.kind,
    r.eventType,
    r.occurredAt.toISOString(),
    r.conversationId,
    r.actor,
    r.messageType,
    r.dataKeyId,
  ];
}

/**
 * Length-prefixed, fixed field order: two different records never share canonical bytes. Each
 * field is its 4-byte big-endian length, then its bytes (text as UTF-8), written into one buffer.
 */
export function canonicalBytes(r: Omit<ArchivedRecord, 'prevHash' | 'hash'>): Buffer {
  const texts = textFieldsOf(r);
  let size = 8 + r.nonce.length + r.ciphertext.length;
  for (const text of texts) size += 4 + Buffer.byteLength(text, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const text of texts) {
    const written = out.write(text, at + 4, 'utf8');
    out.writeUInt32BE(written, at);
    at += 4 + written;
  }
  for (const bytes of [r.nonce, r.ciphertext]) {
    out.writeUInt32BE(bytes.length, at);
    bytes.copy(out, at + 4);
    at += 4 + bytes.length;
  }
  return out;
}

/** hash(n) = SHA-256(hash(n − 1) ‖ canonical bytes of record n). */
export function chainHash(prevHash: Buffer, record: Omit<ArchivedRecord, 'prevHash' | 'hash'>): Buffer {
  return createHash('sha256').update(prevHash).update(canonicalBytes(record)).digest();
}
