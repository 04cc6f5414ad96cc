import { Inject, Injectable } from '@nestjs/common';
import {
  AppLogger,
  assertStorableText,
  CallerIdentity,
  DomainError,
  LOGGER,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { Member, MemberStatus } from '../members/member';
import { MembersRepository } from '../members/members.repository';
import { MatchKind, MemberSearchRepository } from './member-search.repository';
import { memberSearchTerms, normaliseQuery, SearchableMember, SearchField } from './search-terms';

/** What indexing reads of a member; without a status it counts as searchable. */
export type IndexableMember = SearchableMember & { corpId: string; status?: MemberStatus };

export interface SearchHit {
  member: Member;
  match: MatchKind;
  field: SearchField;
}

const LIMIT_DEFAULT = 20;
const LIMIT_MAX = 100;
const QUERY_MAX = 64;
const FUZZY_MIN_CHARACTERS = 3;
// Terms read per stage: each becomes a member lookup for the final ordering, so a broad prefix
// ("z", "张") costs this many lookups whatever the corp's size.
const candidatesFor = (limit: number) => Math.max(300, limit * 5);
const BACKFILL_BATCH = 500;

/**
 * 通讯录搜索: a corp's members by name, alias, English name, userid, mobile, email and pinyin.
 * The index is written in the transaction that writes the member, so search agrees with the
 * directory at every commit; members written by a path that does not index (or before the index
 * existed) are picked up by the start-up backfill.
 */
@Injectable()
export class MemberSearchService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly index: MemberSearchRepository,
    private readonly members: MembersRepository,
  ) {}

  /**
   * Every member of a corp may search the whole of its directory, and nothing else. Ranked exact,
   * prefix, fuzzy; within each, active before disabled, then by name. Offboarded members never appear.
   */
  async search(caller: CallerIdentity, query: string, limit: number): Promise<SearchHit[]> {
    if (!caller.corpId) throw new DomainError('FORBIDDEN', "searching a directory needs a corp member's identity");
    assertStorableText(query, 'query');
    const text = normaliseQuery(query);
    if (!text) throw new ValidationError('query is required', { field: 'query' });
    if ([...text].length > QUERY_MAX) throw new ValidationError(`query is at most ${QUERY_MAX} characters`, { field: 'query' });
    if (limit > LIMIT_MAX) throw new ValidationError(`limit is at most ${LIMIT_MAX}`, { field: 'limit' });
    const tx = this.transactions.manager;
    const size = limit > 0 ? limit : LIMIT_DEFAULT;
    const lookup = { text, fuzzy: [...text].length >= FUZZY_MIN_CHARACTERS, limit: size, candidates: candidatesFor(size) };
    let ranked = await this.index.search(tx, caller.corpId, lookup);
    // Typo tolerance is the last resort: it costs most, and any direct hit is a better answer.
    if (ranked.length === 0) ranked = await this.transactions.run((t) => this.index.searchSimilar(t, caller.corpId, lookup));
    const members = new Map(
      (
        await this.members.findMany(
          tx,
          caller.corpId,
          ranked.map((h) => h.userid),
        )
      ).map((m) => [m.userid, m]),
    );
    // A member deleted between the two reads is simply left out.
    return ranked.flatMap((hit) => {
      const member = members.get(hit.userid);
      return member ? [{ member, match: hit.match, field: hit.field }] : [];
    });
  }

  /** Call in the transaction that writes the member. An offboarded member drops out of search. */
  async indexMember(tx: Tx, member: Member): Promise<void> {
    await this.indexMembers(tx, [member]);
  }

  /** indexMember for a batch (an import, the backfill): two statements whatever the batch size. */
  async indexMembers(tx: Tx, members: IndexableMember[]): Promise<void> {
    if (members.length === 0) return;
    await this.index.deleteTermsOfMany(tx, members);
    await this.index.insertTerms(
      tx,
      members
        .filter((m) => m.status !== 'offboarded')
        .flatMap((m) => memberSearchTerms(m).map((t) => ({ corpId: m.corpId, userid: m.userid, ...t }))),
    );
  }

  /** Drops a member from search. Deleting needs no call (the terms cascade); offboarding goes through indexMember. */
  async removeMember(tx: Tx, corpId: string, userid: string): Promise<void> {
    await this.index.deleteTerms(tx, corpId, userid.toLowerCase());
  }

  /**
   * Indexes members written before the index existed (or by a path that does not index), in
   * batches, each its own transaction. Run at start-up; a no-op once every member has terms.
   */
  async backfill(): Promise<number> {
    let indexed = 0;
    for (;;) {
      const batch = await this.transactions.run(async (tx) => {
        const members = await this.index.lockUnindexed(tx, BACKFILL_BATCH);
        await this.indexMembers(tx, members);
        return members.length;
      });
      indexed += batch;
      if (batch < BACKFILL_BATCH) break;
    }
    if (indexed > 0) this.logger.info({ indexed }, 'member search: indexed members that had no search terms');
    return indexed;
  }
}
