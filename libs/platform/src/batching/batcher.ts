export interface BatcherOptions {
  /** Batches running at once; further items wait for one to finish. */
  concurrency: number;
  /** Items per batch at most. */
  maxBatch: number;
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
  private readonly queue: Waiting<I, R>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly handle: (items: I[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly options: BatcherOptions,
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
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running += 1;
      void this.run(batch).finally(() => {
        this.running -= 1;
        this.drain();
      });
    }
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
