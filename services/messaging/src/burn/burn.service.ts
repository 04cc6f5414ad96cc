import { Inject, Injectable } from '@nestjs/common';
import { MessageBurnt } from '@atrium/contracts';
import { EVENT_BUS, EventBus, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { JobLockRepository } from '../features/job-lock.repository';
import { Message } from '../messages/message';
import { CorpPoliciesService } from '../policies/corp-policies.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { burntFor } from './burn-rules';
import { BurnRepository, BurntRow } from './burn.repository';

const PURGE_JOB = 'messaging:burn-purge';
const BATCH = 500;

/**
 * Burn after reading. The recipient's copy disappears as their read cursor passes it (a view
 * rule: nothing is written); the content leaves the database for everyone when the corp's TTL
 * has passed since sending. The archive is not messaging's to burn: `messaging.message.sent`
 * already carried the content there, under the corp's archive policy, and clients say so with
 * the corp's archive notice.
 */
@Injectable()
export class BurnService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly policies: CorpPoliciesService,
    private readonly burns: BurnRepository,
    private readonly locks: JobLockRepository,
    private readonly realtime: RealtimePublisher,
  ) {}

  /** Messages as `viewer` sees them (null: the sender's own view of a message just sent). */
  async present(corpId: string, viewer: { userid: string; readSeq: number } | null, messages: Message[]): Promise<Message[]> {
    if (!messages.some((m) => m.burnAfterReading)) return messages;
    const { archiveNotice } = await this.policies.get(corpId);
    return messages.map((m) => {
      if (!m.burnAfterReading) return m;
      return burntFor(m, viewer) ? { ...m, content: {}, burntForViewer: true, archiveNotice } : { ...m, archiveNotice };
    });
  }

  /** After a read: the reader's other devices drop what it burnt (the sender's keep theirs). */
  async announceRead(corpId: string, conversationId: string, reader: string, previousReadSeq: number, readSeq: number): Promise<void> {
    if (readSeq <= previousReadSeq) return;
    const seqs = await this.burns.readBy(this.transactions.manager, corpId, conversationId, reader, previousReadSeq, readSeq);
    if (seqs.length > 0) await this.realtime.toUsers(corpId, [reader], { kind: 'burn', conversationId, seqs, scope: 'reader' });
  }

  /**
   * Clears the content of burn-after-reading messages older than their corp's TTL, corp by corp,
   * in small batches; `now` is injectable so tests need not wait. Returns how many were purged.
   */
  async purge(now = new Date(), batchSize = BATCH): Promise<number> {
    let purged = 0;
    for (const corpId of await this.burns.corpsWithPending(this.transactions.manager)) {
      const { burnTtlSeconds } = await this.policies.get(corpId);
      const sentBefore = new Date(now.getTime() - burnTtlSeconds * 1000);
      for (;;) {
        const batch = await this.transactions.run(async (tx) => {
          if (!(await this.locks.tryLock(tx, PURGE_JOB))) return null;
          // Sequence order within each conversation, as its events are keyed and replayed.
          const rows = (await this.burns.purgeBatch(tx, corpId, sentBefore, now, batchSize)).sort(
            (a, b) => a.conversationId.localeCompare(b.conversationId) || a.seq - b.seq,
          );
          for (const row of rows) {
            await this.bus.publish(tx, MessageBurnt, corpId, {
              corpId,
              conversationId: row.conversationId,
              messageId: row.id,
              seq: row.seq,
              sender: row.sender,
              burntAt: now.toISOString(),
            });
          }
          return rows;
        });
        // Another replica holds the job: this round is theirs.
        if (batch === null) return purged;
        purged += batch.length;
        await this.announcePurged(corpId, batch);
        if (batch.length < batchSize) break;
      }
    }
    if (purged > 0) this.bus.relay.nudge();
    return purged;
  }

  private async announcePurged(corpId: string, rows: BurntRow[]): Promise<void> {
    const byConversation = new Map<string, number[]>();
    for (const row of rows) byConversation.set(row.conversationId, [...(byConversation.get(row.conversationId) ?? []), row.seq]);
    for (const [conversationId, seqs] of byConversation) {
      await this.realtime.toConversation(corpId, { kind: 'burn', conversationId, seqs, scope: 'everyone' });
    }
  }
}
