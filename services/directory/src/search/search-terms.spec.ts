import { MAX_READINGS_PER_NAME, memberSearchTerms, normaliseQuery, readingCombinations, SearchableMember } from './search-terms';

const member = (extra: Partial<SearchableMember>): SearchableMember => ({
  userid: 'someone',
  name: 'Someone',
  alias: '',
  nameEn: '',
  mobile: '',
  email: '',
  ...extra,
});

/** term → field, for the member's non-partial terms. */
const whole = (m: SearchableMember) => new Map(memberSearchTerms(m).flatMap((t) => (t.partial ? [] : [[t.term, t.field] as const])));
const fragments = (m: SearchableMember) => memberSearchTerms(m).flatMap((t) => (t.partial ? [t.term] : []));

describe('search terms', () => {
  it('indexes a Chinese name by full pinyin, initials and surname-first mixed forms', () => {
    const terms = whole(member({ userid: 'u1', name: '张三' }));
    expect(terms.get('张三')).toBe('name');
    expect(terms.get('zhangsan')).toBe('pinyin');
    expect(terms.get('zs')).toBe('pinyin_initials');
    expect(terms.get('zhangs')).toBe('pinyin_initials');

    const three = whole(member({ userid: 'u2', name: '王小明' }));
    expect([...three.keys()]).toEqual(expect.arrayContaining(['wangxiaoming', 'wxm', 'wangxm', 'wangxiaom']));
  });

  it('finds polyphonic surnames by every reading, the surname reading first', () => {
    expect(readingCombinations('曾小明')[0]).toEqual(['zeng', 'xiao', 'ming']);
    expect(readingCombinations('曾小明')).toContainEqual(['ceng', 'xiao', 'ming']);
    expect(readingCombinations('单田芳')[0]).toEqual(['shan', 'tian', 'fang']);
    expect(readingCombinations('单田芳')).toContainEqual(['dan', 'tian', 'fang']);
    expect(readingCombinations('解晓东')[0]).toEqual(['xie', 'xiao', 'dong']);
    expect(readingCombinations('解晓东')).toContainEqual(['jie', 'xiao', 'dong']);
    expect(readingCombinations('朴树')[0]).toEqual(['piao', 'shu']);
    expect(readingCombinations('朴树')).toContainEqual(['pu', 'shu']);

    const zeng = whole(member({ name: '曾小明' }));
    for (const term of ['zengxiaoming', 'cengxiaoming', 'zxm', 'cxm', 'zengxm', 'cengxm']) expect(zeng.has(term)).toBe(true);
  });

  it('caps the combinations of a name full of polyphonic characters and keeps the likeliest', () => {
    // 长 (zhang/chang), 孙 (sun/xun), 无 (wu/mo), 行 (xing/hang/heng), 重 (zhong/chong), 单, 朴: far more than 16.
    const readings = readingCombinations('长孙无行重单朴');
    expect(readings).toHaveLength(MAX_READINGS_PER_NAME);
    expect(new Set(readings.map((r) => r.join(' '))).size).toBe(MAX_READINGS_PER_NAME);
    expect(readings[0][0]).toBe('zhang');
    expect(readingCombinations('长孙无忌')).toContainEqual(['zhang', 'sun', 'wu', 'ji']);
  });

  it('uses v for ü, as pinyin keyboards do', () => {
    expect(whole(member({ name: '吕布' })).get('lvbu')).toBe('pinyin');
  });

  it('indexes Latin names whole, without spaces, and later words as fragments; no pinyin for them', () => {
    const m = member({ userid: 'lilei', name: 'Li Lei', nameEn: 'Lei Li' });
    const terms = whole(m);
    expect(terms.get('li lei')).toBe('name');
    expect(terms.get('lilei')).toBe('userid');
    expect(terms.get('lei li')).toBe('name_en');
    expect(terms.get('leili')).toBe('name_en');
    expect([...terms.values()]).not.toContain('pinyin');
    expect(fragments(m)).toEqual(expect.arrayContaining(['lei', 'li']));
  });

  it('spells a Latin run inside a Chinese name as written', () => {
    expect(readingCombinations('李雷Lee')).toEqual([['li', 'lei', 'lee']]);
    expect(whole(member({ name: '李雷Lee' })).get('lileilee')).toBe('pinyin');
  });

  it('makes every Han suffix of a name a fragment, so a given name finds the full name', () => {
    expect(fragments(member({ name: '欧阳娜娜' }))).toEqual(expect.arrayContaining(['阳娜娜', '娜娜', '娜']));
  });

  it('indexes a mobile with and without country code and separators, and a lower-cased email', () => {
    const terms = whole(member({ mobile: '+86 138-0013-8000', email: 'Zhang.San@Example.COM' }));
    expect(terms.get('+8613800138000')).toBe('mobile');
    expect(terms.get('8613800138000')).toBe('mobile');
    expect(terms.get('13800138000')).toBe('mobile');
    expect(terms.get('zhang.san@example.com')).toBe('email');
  });

  it('keeps one row per term, reporting the most specific field', () => {
    const terms = memberSearchTerms(member({ userid: 'zhangsan', name: '张三' }));
    expect(terms.filter((t) => t.term === 'zhangsan')).toEqual([{ term: 'zhangsan', field: 'userid', partial: false }]);
  });

  it('normalises queries like terms: case, full-width characters, phone separators', () => {
    expect(normaliseQuery('  ZhangSan ')).toBe('zhangsan');
    expect(normaliseQuery('ｚｓ')).toBe('zs');
    expect(normaliseQuery('138 0013-8000')).toBe('13800138000');
    expect(normaliseQuery('Li   Lei')).toBe('li lei');
  });
});
