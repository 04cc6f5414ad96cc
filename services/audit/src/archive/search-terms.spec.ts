import { indexTerms, queryTerms, textMatches } from './search-terms';

describe('blind-index terms', () => {
  it('indexes Chinese by overlapping bigrams, so a word inside a sentence is found', () => {
    const stored = new Set(indexTerms('我们需要一个词来描述'));
    expect(queryTerms('一个词').every((t) => stored.has(t))).toBe(true);
    expect(queryTerms('一个词')).toEqual(['c:一个', 'c:个词']);
  });

  it('indexes Latin text by lower-cased words and adjacent pairs', () => {
    expect(indexTerms('The Quarterly budget.')).toEqual(['w:the', 'p:the quarterly', 'w:quarterly', 'p:quarterly budget', 'w:budget']);
    expect(indexTerms('ＡＢＣ full-width')).toEqual(['w:abc', 'p:abc full', 'w:full', 'w:width']);
  });

  it('has nothing to look up for a single Chinese character', () => {
    expect(queryTerms('预')).toEqual([]);
  });

  it('confirms candidates against the decrypted text', () => {
    expect(textMatches('预算已经批准了', '预算')).toBe(true);
    expect(textMatches('预计算法', '预算')).toBe(false);
    expect(textMatches('The Quarterly  budget', 'quarterly budget')).toBe(true);
    expect(textMatches('budgets', 'budget')).toBe(false);
  });
});
