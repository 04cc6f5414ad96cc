import { MemberChange } from './members-import';

/**
 * The changes of an import cut into the transactions that apply them, without ever splitting a
 * group (rows swapping contacts commit together). Each chunk's size comes from `size()` when the
 * chunk is taken, so it can follow how long the previous ones took.
 */
export class ApplyChunks {
  private readonly groups: MemberChange[][];
  private next = 0;

  constructor(changes: MemberChange[]) {
    const byGroup = new Map<number, MemberChange[]>();
    for (const change of changes) {
      const group = byGroup.get(change.group);
      if (group) group.push(change);
      else byGroup.set(change.group, [change]);
    }
    this.groups = [...byGroup.values()];
  }

  get done(): boolean {
    return this.next >= this.groups.length;
  }

  /** The next chunk: whole groups, at least `size` rows unless the changes run out first. */
  take(size: number): MemberChange[] {
    const chunk: MemberChange[] = [];
    while (!this.done && chunk.length < size) chunk.push(...this.groups[this.next++]);
    return chunk;
  }
}

/**
 * Chooses how many rows the next transaction applies so that it holds the connection about
 * `targetMs`: on a single connection (embedded mode) every other caller of the service waits
 * for the chunk in progress, and what a row costs depends on the machine's load and on the
 * directory's shape (deep trees refresh more subtree rows per member), so a fixed count is either
 * slow or long. It takes the size the last chunk's rate suggests: down at once (a chunk over the
 * target is not repeated), up at most twofold per chunk (one quick chunk may be luck).
 */
export class ChunkSizer {
  private current: number;

  constructor(
    private readonly targetMs: number,
    private readonly bounds: { initial: number; min: number; max: number },
  ) {
    this.current = bounds.initial;
  }

  get size(): number {
    return this.current;
  }

  /** Records that `rows` rows took `elapsedMs`; returns the next size. */
  record(rows: number, elapsedMs: number): number {
    if (rows <= 0) return this.current;
    const suggested = (rows * this.targetMs) / Math.max(elapsedMs, 1);
    const next = Math.min(suggested, this.current * 2);
    this.current = Math.round(Math.max(this.bounds.min, Math.min(this.bounds.max, next)));
    return this.current;
  }
}
