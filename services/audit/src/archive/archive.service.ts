import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { seal } from '../crypto/aead';
import { KeyRing, RecordKey } from '../crypto/key-ring.service';
import { ArchivedRecord, chainHash, RecordDraft, recordAad } from './archive-record';
import { ArchiveRepository, IndexRow } from './archive.repository';
import { indexTerms } from './search-terms';

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Encrypts and chains records. One code path for one event (the Kafka consumer) and for many (a
 * batch): keys and index terms are prepared before the chain heads are locked, so the lock is held
 * only for the inserts. Everything runs on the caller's transaction (embedded mode has a pool of one).
 */
@Injectable()
export class ArchiveService {
  constructor(
    private readonly keys: KeyRing,
    private readonly archive: ArchiveRepository,
  ) {}

  /**
   * Creates (committed, on the pool) the keys a batch will need, so that the batch's own
   * transaction finds them cached. For bulk writers; the consumer creates a day's key in its
   * transaction the one time it is missing.
   */
  async prefetchKeys(drafts: RecordDraft[]): Promise<void> {
    for (const { corpId, day, indexed } of this.keysNeeded(drafts)) {
      await this.keys.recordKey(corpId, day);
      if (indexed) await this.keys.termHasher(corpId);
    }
  }

  /** Appends the drafts (insert-if-absent by record id) to their corps' chains; returns how many were new. */
  async append(tx: Tx, drafts: RecordDraft[]): Promise<number> {
    if (drafts.length === 0) return 0;
    // One query at a time on the transaction's connection: keys first, then the CPU work.
    const recordKeys = new Map<string, RecordKey>();
    const hashers = new Map<string, (term: string) => string>();
    for (const { corpId, day, indexed } of this.keysNeeded(drafts)) {
      recordKeys.set(`${corpId}\u0000${day}`, await this.keys.recordKey(corpId, day, tx));
      if (indexed && !hashers.has(corpId)) hashers.set(corpId, await this.keys.termHasher(corpId, tx));
    }
    const heads = await this.archive.lockHeads(
      tx,
      drafts.map((d) => d.corpId),
    );
    const existing = await this.archive.existingEventIds(
      tx,
      drafts.map((d) => d.eventId),
    );
    const records: ArchivedRecord[] = [];
    const index: IndexRow[] = [];
    const seen = new Set<string>();
    for (const draft of drafts) {
      if (existing.has(draft.eventId) || seen.has(draft.eventId)) continue;
      seen.add(draft.eventId);
      const key = recordKeys.get(`${draft.corpId}\u0000${utcDay(draft.occurredAt)}`)!;
      const head = heads.get(draft.corpId)!;
      const unsealed = {
        corpId: draft.corpId,
        seq: head.seq + 1,
        eventId: draft.eventId,
        kind: draft.kind,
        eventType: draft.eventType,
        occurredAt: draft.occurredAt,
        conversationId: draft.conversationId,
        actor: draft.actor,
        messageType: draft.messageType,
        dataKeyId: key.id,
        ...seal(key.key, Buffer.from(draft.document, 'utf8'), recordAad(draft.corpId, draft.eventId, key.id)),
      };
      const hash = chainHash(head.hash, unsealed);
      records.push({ ...unsealed, prevHash: head.hash, hash });
      heads.set(draft.corpId, { seq: unsealed.seq, hash });
      const hasher = hashers.get(draft.corpId);
      if (draft.searchText && hasher) {
        index.push({
          corpId: draft.corpId,
          seq: unsealed.seq,
          occurredAt: draft.occurredAt,
          terms: indexTerms(draft.searchText).map(hasher),
        });
      }
      if (draft.members?.length) await this.archive.addConversationMembers(tx, draft.corpId, draft.conversationId, draft.members);
    }
    await this.archive.insertRecords(tx, records);
    await this.archive.insertIndex(tx, index);
    await this.archive.updateHeads(tx, heads);
    return records.length;
  }

  private keysNeeded(drafts: RecordDraft[]): { corpId: string; day: string; indexed: boolean }[] {
    const needed = new Map<string, { corpId: string; day: string; indexed: boolean }>();
    for (const draft of drafts) {
      const day = utcDay(draft.occurredAt);
      const id = `${draft.corpId}\u0000${day}`;
      const entry = needed.get(id) ?? { corpId: draft.corpId, day, indexed: false };
      entry.indexed ||= Boolean(draft.searchText);
      needed.set(id, entry);
    }
    return [...needed.values()];
  }
}
