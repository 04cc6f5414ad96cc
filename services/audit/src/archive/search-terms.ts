/**
 * The plaintext terms of the blind index. CJK text has no spaces, so it is indexed by overlapping
 * character bigrams (一个词 → 一个, 个词): any word of two or more characters inside a sentence is
 * found by the bigrams it is made of. Latin text is indexed by lower-cased words and adjacent word
 * pairs (a phrase narrows the candidates). Terms are keyed (HMAC) before they reach the database.
 */

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{N}_]/u;

// ASCII and the common CJK block answered without a regex: this runs for every character archived.
const isCjk = (ch: string) => {
  const code = ch.charCodeAt(0);
  if (code < 0x2e80) return false;
  if (code >= 0x4e00 && code <= 0x9fff) return true;
  return CJK.test(ch);
};
const isWordChar = (ch: string) => {
  const code = ch.charCodeAt(0);
  if (code < 0x80)
    return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x5f || (code >= 0x41 && code <= 0x5a);
  return WORD.test(ch);
};

/** NFKC, lower case: full-width letters and digits fold onto their ASCII forms. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

interface Runs {
  cjk: string[];
  words: string[][];
}

function runsOf(text: string): Runs {
  const cjk: string[] = [];
  const words: string[][] = [];
  let cjkRun = '';
  let word = '';
  let phrase: string[] = [];
  const endWord = () => {
    if (word) phrase.push(word);
    word = '';
  };
  const endPhrase = () => {
    endWord();
    if (phrase.length > 0) words.push(phrase);
    phrase = [];
  };
  for (const ch of normalizeText(text)) {
    if (isCjk(ch)) {
      endPhrase();
      cjkRun += ch;
      continue;
    }
    if (cjkRun) cjk.push(cjkRun);
    cjkRun = '';
    if (isWordChar(ch)) word += ch;
    else if (/\s/u.test(ch)) endWord();
    else endPhrase();
  }
  if (cjkRun) cjk.push(cjkRun);
  endPhrase();
  return { cjk, words };
}

function addCjk(run: string, into: Set<string>): void {
  const chars = [...run];
  for (let i = 0; i + 1 < chars.length; i++) into.add(`c:${chars[i]}${chars[i + 1]}`);
}

function addWords(phrase: string[], into: Set<string>): void {
  for (let i = 0; i < phrase.length; i++) {
    into.add(`w:${phrase[i]}`);
    if (i + 1 < phrase.length) into.add(`p:${phrase[i]} ${phrase[i + 1]}`);
  }
}

/** Every term a stored text is indexed under (deduplicated). */
export function indexTerms(text: string): string[] {
  const terms = new Set<string>();
  const { cjk, words } = runsOf(text);
  for (const run of cjk) addCjk(run, terms);
  for (const phrase of words) addWords(phrase, terms);
  return [...terms];
}

/**
 * The terms a query needs a record to carry. Empty when the query has nothing indexable (a single
 * CJK character): the caller rejects such a query rather than scanning the archive.
 */
export function queryTerms(query: string): string[] {
  return indexTerms(query);
}

/** Whether a decrypted text really contains the query (confirms a blind-index candidate). */
export function textMatches(text: string, query: string): boolean {
  const haystack = normalizeText(text);
  const { cjk, words } = runsOf(query);
  if (!cjk.every((run) => haystack.includes(run))) return false;
  const phrases = runsOf(text).words.map((phrase) => ` ${phrase.join(' ')} `);
  return words.every((phrase) => phrases.some((candidate) => candidate.includes(` ${phrase.join(' ')} `)));
}
