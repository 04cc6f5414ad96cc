import { Injectable } from '@nestjs/common';
import { ArchivedRecord, recordAad } from '../archive/archive-record';
import { open } from '../crypto/aead';
import { KeyRing } from '../crypto/key-ring.service';
import { searchableText } from '../ingest/event-records';

export interface ArchivedMessageView {
  seq: number;
  eventId: string;
  eventType: string;
  conversationId: string;
  sender: string;
  messageType: string;
  sentAt: Date;
  payload: unknown;
}

/** Decrypts archived records for the reads of officers (search, context, export, pull). */
@Injectable()
export class RecordReader {
  constructor(private readonly keys: KeyRing) {}

  /** Null when retention shredded the record's key: it can no longer be read by anyone. */
  async read(record: ArchivedRecord): Promise<ArchivedMessageView | null> {
    const key = await this.keys.keyById(record.corpId, record.dataKeyId);
    if (!key) return null;
    const plain = open(key, record, recordAad(record.corpId, record.eventId, record.dataKeyId));
    const envelope = JSON.parse(plain.toString('utf8')) as { payload: unknown };
    return {
      seq: record.seq,
      eventId: record.eventId,
      eventType: record.eventType,
      conversationId: record.conversationId,
      sender: record.actor,
      messageType: record.messageType,
      sentAt: record.occurredAt,
      payload: envelope.payload,
    };
  }

  /** The message text that keyword search confirms against (every string of its content). */
  textOf(view: ArchivedMessageView): string {
    const payload = view.payload as { message?: { content?: unknown }; content?: unknown };
    return searchableText(payload.message?.content ?? payload.content);
  }
}
