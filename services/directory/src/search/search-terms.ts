import { pinyin } from 'pinyin-pro';
import { Member } from '../members/member';

/** Which field a term came from; reported back with each hit (SearchHit.field). */
export type SearchField = 'userid' | 'name' | 'alias' | 'name_en' | 'mobile' | 'email' | 'pinyin' | 'pinyin_initials';

export interface SearchTerm {
  /** Lower-case, NFKC-normalised. */
  term: string;
  field: SearchField;
  /**
   * A fragment of a field rather than the field itself (a later word of "Li Lei", a suffix of a
   * Chinese name): a hit on it is a substring match, so it ranks as fuzzy. Suffixes make "小明"
   * find 曾小明 through the btree, since two Han characters are too short for trigrams.
   */
  partial: boolean;
}

export type SearchableMember = Pick<Member, 'userid' | 'name' | 'alias' | 'nameEn' | 'mobile' | 'email'>;

/**
 * Readings indexed per name. Every polyphonic character multiplies the combinations (长孙无忌 has
 * 2 × 2 × 2 = 8); past the cap the least likely ones are dropped, see `readingCombinations`.
 */
export const MAX_READINGS_PER_NAME = 16;
/** Mixed forms (`zengxm`, `ouyangnn`) spell out at most this many leading syllables in full. */
const MAX_FULL_SYLLABLES_IN_MIXED = 2;
/** Pinyin and suffixes are computed for this many characters of a name at most. */
const MAX_PINYIN_CHARACTERS = 16;
const MAX_TERM_LENGTH = 128;

/** Which field a hit reports when several terms of a member match equally well: the first. */
export const FIELDS_BY_PRIORITY: SearchField[] = ['userid', 'name', 'alias', 'name_en', 'pinyin', 'pinyin_initials', 'mobile', 'email'];

const HAN = /\p{Script=Han}/u;
const SEGMENT = /\p{Script=Han}|[^\p{Script=Han}]+/gu;
const SYLLABLE = /^[a-z]+$/;
const PHONE_LIKE = /^\+?[\d\s().-]+$/;

/** What a query and a term are compared as: NFKC (full-width → ASCII), lower case, single spaces. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

/** A query as it is looked up: phone numbers lose their separators, as mobiles do when indexed. */
export function normaliseQuery(query: string): string {
  const text = normaliseText(query);
  return PHONE_LIKE.test(text) && /\d/.test(text) ? compactPhone(text) : text;
}

const compactPhone = (mobile: string) => mobile.replace(/[\s().-]/g, '');

/**
 * The readings of a name as syllables, most likely first, at most `limit` of them. Each Han
 * character offers its reading in context with the surname reading for the first character
 * (曾 zeng, 单 shan), its ordinary reading in context (曾 ceng), then every other reading it has;
 * a run of other characters ("Lee" in 李雷Lee) is one syllable spelled as written.
 */
export function readingCombinations(text: string, limit = MAX_READINGS_PER_NAME): string[][] {
  const segments = [...normaliseText(text)].slice(0, MAX_PINYIN_CHARACTERS).join('').match(SEGMENT) ?? [];
  const han = segments.filter((s) => HAN.test(s));
  if (han.length === 0) return [];
  const options = { toneType: 'none', type: 'array', v: true } as const;
  const surnameFirst = pinyin(han.join(''), { ...options, mode: 'surname', surname: 'head' });
  const ordinary = pinyin(han.join(''), options);
  // Context only helps when the library saw one syllable per character (it may not know a rare one).
  const inContext = surnameFirst.length === han.length && ordinary.length === han.length;
  let h = 0;
  const slots: string[][] = [];
  for (const segment of segments) {
    if (HAN.test(segment)) {
      const readings = [...(inContext ? [surnameFirst[h], ordinary[h]] : []), ...readingsOf(segment)];
      h += 1;
      slots.push([...new Set(readings.filter((r) => SYLLABLE.test(r)))]);
    } else {
      slots.push([segment.replace(/[^\p{L}\p{N}]/gu, '')]);
    }
  }
  const usable = slots.filter((s) => s.length > 0 && s[0] !== '');
  return cheapestCombinations(usable, limit).map((picks) => picks.map((choice, slot) => usable[slot][choice]));
}

const readingsCache = new Map<string, string[]>();
const READINGS_CACHE_SIZE = 30_000;

/** Every toneless reading of one Han character; memoised, since names share most characters. */
function readingsOf(char: string): string[] {
  let readings = readingsCache.get(char);
  if (!readings) {
    readings = pinyin(char, { toneType: 'none', type: 'array', multiple: true, v: true });
    if (readingsCache.size >= READINGS_CACHE_SIZE) readingsCache.clear();
    readingsCache.set(char, readings);
  }
  return readings;
}

/**
 * The `limit` index tuples with the smallest sum (each index ranks a reading, 0 = most likely).
 * At equal cost a variation of an earlier character comes first: polyphony matters most in
 * surnames, and the surname is first.
 */
function cheapestCombinations(slots: string[][], limit: number): number[][] {
  if (slots.length === 0) return [];
  const start = slots.map(() => 0);
  const seen = new Set([start.join(',')]);
  const frontier: { picks: number[]; cost: number }[] = [{ picks: start, cost: 0 }];
  const out: number[][] = [];
  while (frontier.length > 0 && out.length < limit) {
    frontier.sort((a, b) => a.cost - b.cost || compareDescending(a.picks, b.picks));
    const next = frontier.shift()!;
    out.push(next.picks);
    next.picks.forEach((choice, slot) => {
      if (choice + 1 >= slots[slot].length) return;
      const picks = next.picks.map((c, s) => (s === slot ? c + 1 : c));
      const key = picks.join(',');
      if (seen.has(key)) return;
      seen.add(key);
      frontier.push({ picks, cost: next.cost + 1 });
    });
  }
  return out;
}

function compareDescending(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i] - a[i];
  return 0;
}

/** Full pinyin (`zengxiaoming`), initials (`zxm`) and mixed forms (`zengxm`, `zengxiaom`) of one reading. */
function pinyinTerms(syllables: string[]): SearchTerm[] {
  const initials = (from: number) =>
    syllables
      .slice(from)
      .map((s) => s[0])
      .join('');
  const terms: SearchTerm[] = [
    { term: syllables.join(''), field: 'pinyin', partial: false },
    { term: initials(0), field: 'pinyin_initials', partial: false },
  ];
  for (let full = 1; full <= Math.min(MAX_FULL_SYLLABLES_IN_MIXED, syllables.length - 1); full++) {
    terms.push({ term: syllables.slice(0, full).join('') + initials(full), field: 'pinyin_initials', partial: false });
  }
  return terms;
}

/** A name-like field: itself, without spaces, later words and Han suffixes as fragments. */
function textTerms(value: string, field: SearchField): SearchTerm[] {
  const text = normaliseText(value);
  if (!text) return [];
  const terms: SearchTerm[] = [{ term: text, field, partial: false }];
  const words = text.split(' ');
  if (words.length > 1) {
    terms.push({ term: words.join(''), field, partial: false });
    for (const word of words.slice(1)) terms.push({ term: word, field, partial: true });
  }
  const chars = [...text.replace(/ /g, '')].slice(0, MAX_PINYIN_CHARACTERS);
  if (HAN.test(text)) for (let i = 1; i < chars.length; i++) terms.push({ term: chars.slice(i).join(''), field, partial: true });
  return terms;
}

function mobileTerms(mobile: string): SearchTerm[] {
  const compact = compactPhone(normaliseText(mobile));
  if (!compact) return [];
  const forms = [compact];
  if (compact.startsWith('+')) forms.push(compact.slice(1));
  if (compact.startsWith('+86')) forms.push(compact.slice(3));
  return forms.map((term) => ({ term, field: 'mobile', partial: false }));
}

/**
 * Everything a member can be found by, one row per distinct term. Pure: the same member always
 * gives the same terms, so re-indexing is a delete and an insert.
 */
export function memberSearchTerms(member: SearchableMember): SearchTerm[] {
  const candidates: SearchTerm[] = [
    { term: normaliseText(member.userid), field: 'userid', partial: false },
    ...textTerms(member.name, 'name'),
    ...textTerms(member.alias, 'alias'),
    ...textTerms(member.nameEn, 'name_en'),
    ...readingCombinations(member.name).flatMap(pinyinTerms),
    ...mobileTerms(member.mobile),
    { term: normaliseText(member.email), field: 'email', partial: false },
  ];
  const ordered = candidates
    .filter((t) => t.term.length > 0 && t.term.length <= MAX_TERM_LENGTH)
    .map((t, i) => ({ t, i }))
    .sort((a, b) => Number(a.t.partial) - Number(b.t.partial) || a.i - b.i);
  const seen = new Set<string>();
  const terms: SearchTerm[] = [];
  for (const { t } of ordered) {
    if (seen.has(t.term)) continue;
    seen.add(t.term);
    terms.push(t);
  }
  return terms;
}
