import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { randomBytes } from 'node:crypto';
import { NONCE_BYTES, Sealed, seal } from '../crypto/aead';
import { KeyRing, RecordKey } from '../crypto/key-ring.service';
import { ScopeRepository } from '../scope/scope.repository';
import { ArchivedRecord, chainHash, RecordDraft, recordAad } from './archive-record';
import { ArchiveRepository, IndexRow } from './archive.repository';
import { indexTerms } from './search-terms';

const DAY_MS = 86_400_000;
const dayNames = new Map<number, string>();
/** YYYY-MM-DD (UTC) of a time: formatted once per day seen, a batch holds thousands of records of few days. */
const utcDay = (at: Date) => {
  const day = Math.floor(at.getTime() / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = at.toISOString().slice(0, 10);
    if (dayNames.size >= 10_000) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
};

/** A record ready to be chained: everything but its position. */
interface Prepared {
  draft: RecordDraft;
  dataKeyId: string;
  sealed: Sealed;
  /** Keyed index terms (8 bytes each), for a record with searchable text. */
  terms?: Buffer[];
}

/** Records a department-scoped officer may see: stamped with their participants' departments. */
const STAMPED_KINDS = new Set(['message', 'conversation']);

/**
 * Encrypts and chains records. One code path for one event (the Kafka consumer) and for many (a
 * batch): keys, ciphertexts and index terms are prepared before the chain heads are locked, so the
 * lock is held only for chaining (one SHA-256 per record) and the inserts. Everything runs on the caller's transaction (embedded mode has a pool of one).
 */
@Injectable()
export class ArchiveService {
  constructor(
    private readonly keys: KeyRing,
    private readonly archive: ArchiveRepository,
    private readonly scopes: ScopeRepository,
  ) {}

  /**
   * Creates (committed, on the pool) the keys a batch will need, so that the batch's own
   * transaction finds them cached. For bulk writers; the consumer creates a day's key in its
   * transaction the one time it is missing.
   */
  async prefetchKeys(drafts: RecordDraft[]): Promise<void> {
    for (const { corpId, day, indexed } of this.keysNeeded(drafts)) {
      await this.keys.recordKey(corpId, day);
      if (indexed) await this.keys.termKeyer(corpId);
    }
  }

  /** Appends the drafts (insert-if-absent by record id) to their corps' chains; returns how many were new. */
  async append(tx: Tx, drafts: RecordDraft[]): Promise<number> {
    if (drafts.length === 0) return 0;
    // One query at a time on the transaction's connection: keys first.
    const recordKeys = new Map<string, RecordKey>();
    const keyers = new Map<string, (term: string) => Buffer>();
    for (const { corpId, day, indexed } of this.keysNeeded(drafts)) {
      recordKeys.set(`${corpId}\u0000${day}`, await this.keys.recordKey(corpId, day, tx));
      if (indexed && !keyers.has(corpId)) keyers.set(corpId, await this.keys.termKeyer(corpId, tx));
    }
    // The CPU work (encryption, index terms) before the chain heads are locked: the chain's other
    // writer — the previous batch of a pipelined backfill, another consumer — goes on meanwhile.
    // Nothing here depends on the chain; a record id met twice in the batch is prepared once.
    const prepared = this.prepare(drafts, recordKeys, keyers);
    const heads = await this.archive.lockHeads(
      tx,
      prepared.map((p) => p.draft.corpId),
    );
    const existing = await this.archive.existingEventIds(
      tx,
      prepared.map((p) => p.draft.eventId),
    );
    const records: ArchivedRecord[] = [];
    const index: IndexRow[] = [];
    for (const { draft, dataKeyId, sealed, terms } of prepared) {
      if (existing.has(draft.eventId)) continue;
      const head = heads.get(draft.corpId)!;
      // One object per record (no spreads: this loop holds the chain lock); the hash covers all but prevHash and hash.
      const record: ArchivedRecord = {
        corpId: draft.corpId,
        seq: head.seq + 1,
        eventId: draft.eventId,
        kind: draft.kind,
        eventType: draft.eventType,
        occurredAt: draft.occurredAt,
        conversationId: draft.conversationId,
        actor: draft.actor,
        messageType: draft.messageType,
        dataKeyId,
        nonce: sealed.nonce,
        ciphertext: sealed.ciphertext,
        prevHash: head.hash,
        hash: head.hash,
      };
      const hash = chainHash(head.hash, record);
      record.hash = hash;
      records.push(record);
      heads.set(draft.corpId, { seq: record.seq, hash });
      if (terms) index.push({ corpId: draft.corpId, seq: record.seq, occurredAt: draft.occurredAt, terms });
      if (draft.members?.length) await this.archive.addConversationMembers(tx, draft.corpId, draft.conversationId, draft.members);
    }
    await this.archive.insertRecords(tx, records);
    await this.archive.insertIndex(tx, index);
    await this.stamp(tx, records);
    await this.archive.updateHeads(tx, heads);
    return records.length;
  }

  /** Each record id once, in order, encrypted (nonces drawn for the whole batch at once) and with its keyed index terms. */
  private prepare(drafts: RecordDraft[], recordKeys: Map<string, RecordKey>, keyers: Map<string, (term: string) => Buffer>): Prepared[] {
    const unique = new Map<string, RecordDraft>();
    for (const draft of drafts) if (!unique.has(draft.eventId)) unique.set(draft.eventId, draft);
    const nonces = randomBytes(NONCE_BYTES * unique.size);
    const prepared: Prepared[] = [];
    for (const draft of unique.values()) {
      const key = recordKeys.get(`${draft.corpId}\u0000${utcDay(draft.occurredAt)}`)!;
      const nonce = nonces.subarray(NONCE_BYTES * prepared.length, NONCE_BYTES * (prepared.length + 1));
      const keyer = keyers.get(draft.corpId);
      prepared.push({
        draft,
        dataKeyId: key.id,
        sealed: seal(key.key, Buffer.from(draft.document, 'utf8'), recordAad(draft.corpId, draft.eventId, key.id), nonce),
        terms: draft.searchText && keyer ? indexTerms(draft.searchText).map(keyer) : undefined,
      });
    }
    return prepared;
  }

  private async stamp(tx: Tx, records: ArchivedRecord[]): Promise<void> {
    const byCorp = new Map<string, ArchivedRecord[]>();
    for (const record of records) {
      if (!STAMPED_KINDS.has(record.kind) || (!record.conversationId && !record.actor)) continue;
      const list = byCorp.get(record.corpId);
      if (list) list.push(record);
      else byCorp.set(record.corpId, [record]);
    }
    for (const [corpId, stamped] of byCorp) await this.scopes.stamp(tx, corpId, stamped);
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
