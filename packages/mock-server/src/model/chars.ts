/**
 * Character classes for the model's text passes, one code point at a time. Sticky regexes test a single
 * position of the text (no backtracking, no slice); ASCII is decided without a regex.
 */
const SPACE_AT = /\s/uy;
const WORD_AT = /[\p{L}\p{N}_]/uy;
const UPPER_AT = /\p{Lu}/uy;
/** What may follow the first letter of a capitalised word: letters, digits, `'` and `-`. */
const NAME_TAIL_AT = /[\p{L}\p{N}'-]/uy;

const test = (pattern: RegExp, text: string, i: number): boolean => {
  pattern.lastIndex = i;
  return pattern.test(text);
};

const isAsciiWord = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

/** UTF-16 units of the code point at `i`: 2 for a surrogate pair, else 1. */
export function widthAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code < 0xd800 || code > 0xdbff) return 1;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
}

export function isSpaceAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return test(SPACE_AT, text, i);
}

/** A letter, digit or `_` (the word characters of tokens and of whole-word matches). */
export function isWordAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return isAsciiWord(code);
  return test(WORD_AT, text, i);
}

export function isUpperAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return code >= 65 && code <= 90;
  return test(UPPER_AT, text, i);
}

export function isNameTailAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return code === 39 || code === 45 || (isAsciiWord(code) && code !== 95);
  return test(NAME_TAIL_AT, text, i);
}

/**
 * Lower-cases text without changing its length, so positions in the result are positions in the text
 * (`toLowerCase` can lengthen a few characters, such as `İ`; those are kept as they are).
 */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const width = widthAt(text, i);
    const ch = text.slice(i, i + width);
    const folded = ch.toLowerCase();
    out.push(folded.length === width ? folded : ch);
    i += width;
  }
  return out.join('');
}
