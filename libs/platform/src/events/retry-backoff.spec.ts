import { retryDelayMs } from './retry-backoff';

describe('retry back-off', () => {
  it('doubles from the base up to the cap', () => {
    const highest = (attempt: number) => retryDelayMs(attempt, 100, 5_000, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(highest)).toEqual([100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
  });

  it('jitters within the upper half of each step', () => {
    expect(retryDelayMs(3, 100, 5_000, () => 0)).toBe(200);
    expect(retryDelayMs(30, 100, 5_000, () => 0)).toBe(2_500);
    expect(retryDelayMs(1_000, 100, 5_000, () => 0.5)).toBe(3_750);
  });
});
