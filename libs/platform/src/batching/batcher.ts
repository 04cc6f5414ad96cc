export interface BatcherOptions<I = unknown> {
  /** Batches running at once; further items wait for one to finish. */
  concurrency: number;
  /** Items per batch at most. */
  maxBatch: number;
  /**
   * Items of one key keep their order: a batch takes no item whose key is in a batch still
   * running (it waits for the next one), so two batches never race over one key.
   */
  key?: (item: I) => string;
}

interface Waiting<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: callers submit items one at a time and `handle` runs them in batches, at most
 * `concurrency` batches at once. Under light load an item starts at once, joined only by what was
 * submitted in the same turn of the event loop; under load items queue while the batches in flight
 * finish and the next batch takes them all, so the fixed cost of a batch (a transaction, a remote
 * call) is shared by as many items as arrived meanwhile. `handle` settles each item on its own: one
 * item's failure is not its neighbours'.
 */
export class Batcher<I, R> {
  private queue: Waiting<I, R>[] = [];
  private running = 0;
  private scheduled = false;
  private readonly busyKeys = new Set<string>();

  constructor(
    private readonly handle: (items: I[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly options: BatcherOptions<I>,
  ) {
    if (options.concurrency < 1 || options.maxBatch < 1) throw new Error('a batcher needs concurrency and maxBatch of at least 1');
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /** Items waiting for a batch (not those in flight). */
  get pending(): number {
    return this.queue.length;
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const { batch, keys } = this.take();
      if (batch.length === 0) return;
      this.running += 1;
      void this.run(batch).finally(() => {
        this.running -= 1;
        for (const key of keys) this.busyKeys.delete(key);
        this.drain();
      });
    }
  }

  /** The next batch: the queue's head, less what must wait for a running batch of its key. */
  private take(): { batch: Waiting<I, R>[]; keys: Set<string> } {
    const keyOf = this.options.key;
    if (!keyOf) return { batch: this.queue.splice(0, this.options.maxBatch), keys: new Set() };
    const batch: Waiting<I, R>[] = [];
    const keys = new Set<string>();
    const rest: Waiting<I, R>[] = [];
    for (const waiting of this.queue) {
      const key = keyOf(waiting.item);
      if (batch.length < this.options.maxBatch && !this.busyKeys.has(key)) {
        batch.push(waiting);
        keys.add(key);
      } else rest.push(waiting);
    }
    // Keys taken are busy until the batch ends; those skipped stay blocked behind them, in order.
    for (const key of keys) this.busyKeys.add(key);
    this.queue = rest;
    return { batch, keys };
  }

  private async run(batch: Waiting<I, R>[]): Promise<void> {
    let results: PromiseSettledResult<R>[];
    try {
      results = await this.handle(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} items settled ${results.length}`);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    results.forEach((result, i) => (result.status === 'fulfilled' ? batch[i].resolve(result.value) : batch[i].reject(result.reason)));
  }
}
