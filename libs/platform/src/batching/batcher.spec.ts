import { Batcher } from './batcher';

/** A handler whose batches finish when the test says so. */
function controlledHandler() {
  const batches: { items: number[]; finish: (results?: PromiseSettledResult<string>[]) => void; fail: (e: Error) => void }[] = [];
  const handle = (items: number[]) =>
    new Promise<PromiseSettledResult<string>[]>((resolve, reject) => {
      batches.push({
        items,
        finish: (results) => resolve(results ?? items.map((i) => ({ status: 'fulfilled', value: `done ${i}` }))),
        fail: reject,
      });
    });
  return { batches, handle };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('runs what arrives in one turn together, and gathers what arrives while batches are in flight', async () => {
    const { batches, handle } = controlledHandler();
    const batcher = new Batcher(handle, { concurrency: 1, maxBatch: 100 });
    const first = [1, 2].map((i) => batcher.submit(i));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1, 2]]);
    const later = [3, 4, 5].map((i) => batcher.submit(i));
    await turn();
    expect(batches).toHaveLength(1);
    expect(batcher.pending).toBe(3);
    batches[0].finish();
    expect(await Promise.all(first)).toEqual(['done 1', 'done 2']);
    await turn();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    batches[1].finish();
    expect(await Promise.all(later)).toEqual(['done 3', 'done 4', 'done 5']);
  });

  it('keeps at most `concurrency` batches in flight of at most `maxBatch` items', async () => {
    const { batches, handle } = controlledHandler();
    const batcher = new Batcher(handle, { concurrency: 2, maxBatch: 3 });
    const all = Array.from({ length: 10 }, (_, i) => batcher.submit(i));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    batches[1].finish();
    await turn();
    expect(batches.map((b) => b.items)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
    batches[0].finish();
    batches[2].finish();
    await turn();
    batches[3].finish();
    expect(await Promise.all(all)).toEqual(Array.from({ length: 10 }, (_, i) => `done ${i}`));
    expect(batches.map((b) => b.items.length)).toEqual([3, 3, 3, 1]);
  });

  it('settles each item on its own, and fails every item of a batch whose handler fails', async () => {
    const { batches, handle } = controlledHandler();
    const batcher = new Batcher(handle, { concurrency: 1, maxBatch: 10 });
    const [ok, refused] = [batcher.submit(1), batcher.submit(2)];
    await turn();
    batches[0].finish([
      { status: 'fulfilled', value: 'stored' },
      { status: 'rejected', reason: new Error('refused') },
    ]);
    await expect(ok).resolves.toBe('stored');
    await expect(refused).rejects.toThrow('refused');

    const [a, b] = [batcher.submit(3), batcher.submit(4)];
    await turn();
    batches[1].fail(new Error('database gone'));
    await expect(a).rejects.toThrow('database gone');
    await expect(b).rejects.toThrow('database gone');

    const short = batcher.submit(5);
    const other = batcher.submit(6);
    await turn();
    batches[2].finish([{ status: 'fulfilled', value: 'only one' }]);
    await expect(short).rejects.toThrow('a batch of 2 items settled 1');
    await expect(other).rejects.toThrow('a batch of 2 items settled 1');
  });
});

describe('Batcher with keys', () => {
  it('never runs two batches of one key at once, and keeps each key in order', async () => {
    const { batches, handle } = controlledHandler();
    const batcher = new Batcher(handle, { concurrency: 4, maxBatch: 10, key: (i: number) => (i < 100 ? 'a' : 'b') });
    const first = [1, 2, 101].map((i) => batcher.submit(i));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 101]]);
    // 'a' and 'b' are busy: a new batch may take neither, though slots are free.
    const second = [3, 102, 4].map((i) => batcher.submit(i));
    await turn();
    expect(batches).toHaveLength(1);
    batches[0].finish();
    await Promise.all(first);
    await turn();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 101],
      [3, 102, 4],
    ]);
    // Both keys are busy again: nothing more runs until that batch ends.
    const third = [5, 200].map((i) => batcher.submit(i));
    await turn();
    expect(batches).toHaveLength(2);
    batches[1].finish();
    await Promise.all(second);
    await turn();
    expect(batches[2].items).toEqual([5, 200]);
    batches[2].finish();
    expect(await Promise.all(third)).toEqual(['done 5', 'done 200']);
  });

  it('lets other keys pass a busy one', async () => {
    const { batches, handle } = controlledHandler();
    const batcher = new Batcher(handle, { concurrency: 2, maxBatch: 10, key: (i: number) => String(Math.floor(i / 10)) });
    void batcher.submit(1);
    await turn();
    const later = [2, 11, 3, 12].map((i) => batcher.submit(i));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1], [11, 12]]);
    batches[0].finish();
    await turn();
    expect(batches[2].items).toEqual([2, 3]);
    batches[1].finish();
    batches[2].finish();
    expect(await Promise.all(later)).toEqual(['done 2', 'done 11', 'done 3', 'done 12']);
  });
});
