import { percentile, round, summarize } from './stats';

describe('percentile (nearest rank)', () => {
  it('picks the smallest sample covering p % of the samples', () => {
    const sorted = [15, 20, 35, 40, 50];
    expect(percentile(sorted, 5)).toBe(15);
    expect(percentile(sorted, 30)).toBe(20);
    expect(percentile(sorted, 40)).toBe(20);
    expect(percentile(sorted, 50)).toBe(35);
    expect(percentile(sorted, 100)).toBe(50);
  });

  it('on 1..100 gives p50 = 50 and p99 = 99, and p0 is the minimum', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 99.9)).toBe(100);
  });

  it('lets a single slow request among fewer than 100 decide p99', () => {
    const sorted = [...Array.from({ length: 49 }, () => 1), 500];
    expect(percentile(sorted, 99)).toBe(500);
    expect(percentile(sorted, 50)).toBe(1);
  });

  it('refuses no samples and p outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically, not as strings, and leaves the input alone', () => {
    const samples = [100, 9, 10, 2.5];
    const summary = summarize(samples);
    expect(samples).toEqual([100, 9, 10, 2.5]);
    expect(summary).toEqual({ count: 4, min: 2.5, max: 100, mean: 30.375, p50: 9, p90: 100, p99: 100 });
  });

  it('summarises a single sample', () => {
    expect(summarize([7])).toEqual({ count: 1, min: 7, max: 7, mean: 7, p50: 7, p90: 7, p99: 7 });
  });

  it('refuses no samples', () => {
    expect(() => summarize([])).toThrow(RangeError);
  });
});

describe('round', () => {
  it('rounds to two decimals by default', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.235, 1)).toBe(1.2);
    expect(round(42)).toBe(42);
  });
});
