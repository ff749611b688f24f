/**
 * The model's reading of the user's text: `key: value` hints, the capitalised phrase, whole-word
 * mentions. Each is a hand-written scan whose cost is linear in the text (no regex over the text, no
 * repeated slice or search from every position), so a huge message cannot stall the server.
 */
import { foldCase, isNameTailAt, isSpaceAt, isUpperAt, isWordAt, widthAt } from './chars';

const QUOTE = 34;
const APOSTROPHE = 39;
const isTerminator = (code: number) => code === 44 || code === 59 || code === 10; // , ; \n
const isSeparator = (code: number) => code === 58 || code === 61; // : =

/**
 * Text prepared for hint look-ups: the text and its case-folded copy (same length), plus what earlier
 * look-ups learnt about quotes, so that no look-up searches the same stretch twice for a closing quote.
 */
export interface HintText {
  readonly text: string;
  readonly folded: string;
}

export function hintText(text: string): HintText {
  return { text, folded: foldCase(text) };
}

/** Where the whitespace run starting at `i` ends, reusing the run found by the previous call. */
class SpaceSkipper {
  #start = -1;
  #end = -1;
  /** The last character of the run that is not a line feed, or -1. */
  #lastNotNewline = -1;
  constructor(private readonly text: string) {}

  skip(i: number): { end: number; hasNonNewline: boolean } {
    if (!(i >= this.#start && i < this.#end)) {
      const text = this.text;
      let end = i;
      let lastNotNewline = -1;
      while (end < text.length && isSpaceAt(text, end)) {
        if (text.charCodeAt(end) !== 10) lastNotNewline = end;
        end++;
      }
      this.#start = i;
      this.#end = end;
      this.#lastNotNewline = lastNotNewline;
    }
    return { end: Math.max(i, this.#end), hasNonNewline: this.#lastNotNewline >= i };
  }
}

/**
 * The value of the first `key=value` or `key: value` in the text (key ignoring case, not preceded by a
 * letter, digit or `_`): a `"…"` or `'…'` string, else everything up to `,` `;` or a line end, trimmed.
 * One pass over the text per key: each occurrence is checked once, whitespace runs and quote searches
 * are never rescanned.
 */
export function findHint(key: string, source: HintText): string | undefined {
  if (key === '') return undefined;
  const { text, folded } = source;
  const needle = foldCase(key);
  const beforeSeparator = new SpaceSkipper(text);
  const afterSeparator = new SpaceSkipper(text);
  // A quote with no closing quote after it has none after any later position either.
  const unclosed = new Set<number>();
  for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + 1)) {
    if (wordEndsAt(text, at)) continue;
    const separator = beforeSeparator.skip(at + needle.length).end;
    if (separator >= text.length || !isSeparator(text.charCodeAt(separator))) continue;
    const gap = afterSeparator.skip(separator + 1);
    const start = gap.end;
    const code = start < text.length ? text.charCodeAt(start) : -1;
    if (code === QUOTE || code === APOSTROPHE) {
      if (!unclosed.has(code)) {
        const close = text.indexOf(String.fromCharCode(code), start + 1);
        if (close !== -1) return text.slice(start + 1, close).trim();
        unclosed.add(code);
      }
    }
    if (code !== -1 && !isTerminator(code)) {
      let end = start + 1;
      while (end < text.length && !isTerminator(text.charCodeAt(end))) end++;
      return text.slice(start, end).trim();
    }
    // Nothing after the separator: the regex this replaces then matched the blank before the end.
    if (gap.hasNonNewline) return '';
  }
  return undefined;
}

/** Whether the character just before `at` (a whole code point) is a letter, digit or `_`. */
function wordEndsAt(text: string, at: number): boolean {
  if (at === 0) return false;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xdc00 && code <= 0xdfff && at >= 2 && widthAt(text, at - 2) === 2)
    return isWordAt(text, at - 2);
  return isWordAt(text, at - 1);
}

/** The last run of capitalised words that neither opens the text nor starts a sentence (after . ! ?). */
export function capitalisedPhrase(text: string): string | undefined {
  const n = text.length;
  let afterStop = false;
  let best: [number, number] | null = null;
  let i = 0;
  while (i < n) {
    if (!isUpperAt(text, i)) {
      if (!isSpaceAt(text, i)) {
        const code = text.charCodeAt(i);
        afterStop = code === 46 || code === 33 || code === 63; // . ! ?
      }
      i += widthAt(text, i);
      continue;
    }
    const start = i;
    i = nameEnd(text, i);
    for (;;) {
      let j = i;
      while (j < n && isSpaceAt(text, j)) j++;
      if (j === i || j === n || !isUpperAt(text, j)) break;
      i = nameEnd(text, j);
    }
    if (start !== 0 && !afterStop) best = [start, i];
    afterStop = false;
  }
  return best ? text.slice(best[0], best[1]) : undefined;
}

/** The end of a capitalised word starting at `i`: its capital, then letters, digits, `'` and `-`. */
function nameEnd(text: string, i: number): number {
  let end = i + widthAt(text, i);
  while (end < text.length && isNameTailAt(text, end)) end += widthAt(text, end);
  return end;
}

/**
 * Which of `phrases` occur in `text` as whole words, ignoring case (not preceded or followed by a letter,
 * digit or `_`). One scan of the text: from each position that may start a phrase, a walk down a trie of
 * the phrases, so each position costs at most the length of the longest phrase.
 */
export function wholeWordMatches(text: string, phrases: readonly string[]): Set<string> {
  const children: Array<Map<number, number>> = [new Map()];
  const ends: Array<string | null> = [null];
  for (const phrase of phrases) {
    const folded = foldCase(phrase);
    if (folded === '') continue;
    let node = 0;
    for (let k = 0; k < folded.length; k++) {
      const code = folded.charCodeAt(k);
      let next = children[node]!.get(code);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        ends.push(null);
        children[node]!.set(code, next);
      }
      node = next;
    }
    ends[node] = folded;
  }
  const wanted = new Set(ends.filter((end): end is string => end !== null));
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  const folded = foldCase(text);
  const n = folded.length;
  // A word character is judged by its own code unit here, as the whole-word rule always was.
  const wordUnit = (k: number) => {
    if (k < 0 || k >= n) return false;
    const code = folded.charCodeAt(k);
    return (code < 0xd800 || code > 0xdfff) && isWordAt(folded, k);
  };
  const root = children[0]!;
  for (let s = 0; s < n && found.size < wanted.size; s++) {
    if (!root.has(folded.charCodeAt(s)) || wordUnit(s - 1)) continue;
    let node = 0;
    for (let e = s; e < n; e++) {
      const next = children[node]!.get(folded.charCodeAt(e));
      if (next === undefined) break;
      node = next;
      const end = ends[node];
      if (end != null && !wordUnit(e + 1)) found.add(end);
    }
  }
  return found;
}
