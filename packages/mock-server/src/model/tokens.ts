/**
 * Deterministic token counting (documented in docs/mock-server.md):
 * a token is a run of letters, digits and `_`, or any other single non-space character; whitespace
 * belongs to the token after it. `"Hello, world!"` is 4 tokens: `Hello` `,` ` world` `!`.
 */
const TOKEN = /\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])/gu;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const SPACE = /\s/u;

export function countTokens(text: string): number {
  if (text === '') return 0;
  let count = 0;
  let inWord = false;
  // A hand loop instead of match(): no array of strings per call on the hot path.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || (code >= 9 && code <= 13) || (code >= 128 && SPACE.test(text[i]!))) {
      inWord = false;
      continue;
    }
    if (isWordCode(code, text, i)) {
      if (!inWord) count++;
      inWord = true;
    } else {
      // Surrogate pairs are one character, one token.
      if (code >= 0xd800 && code <= 0xdbff) i++;
      count++;
      inWord = false;
    }
  }
  return count;
}

function isWordCode(code: number, text: string, i: number): boolean {
  if (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95
  ) {
    return true;
  }
  if (code < 128) return false;
  if (code >= 0xd800 && code <= 0xdbff) return WORD_CHAR.test(text.slice(i, i + 2));
  if (code >= 0xdc00 && code <= 0xdfff) return WORD_CHAR.test(text.slice(i - 1, i + 1));
  return WORD_CHAR.test(text[i]!);
}

/**
 * Cuts text into one piece per token (whitespace before a token stays with it; trailing whitespace goes
 * with the last piece). `pieces.join('') === text` always; `pieces.length === countTokens(text)`
 * except for text that is only whitespace (one piece, zero tokens).
 */
export function splitTokens(text: string): string[] {
  if (text === '') return [];
  const pieces = !NON_ASCII.test(text) ? splitAscii(text) : (text.match(TOKEN) ?? []);
  const covered = pieces.reduce((n, p) => n + p.length, 0);
  if (covered < text.length) {
    const tail = text.slice(covered);
    if (pieces.length === 0) return [tail];
    pieces[pieces.length - 1] += tail;
  }
  return pieces;
}

/** Any character outside ASCII (the hand-written splitter only handles ASCII). */
const NON_ASCII = /[^\p{ASCII}]/u;
const isAsciiSpace = (code: number) => code === 32 || (code >= 9 && code <= 13);
const isAsciiWord = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

/** The same cut as the TOKEN regex, by hand, for ASCII text (the common case; several times faster). */
function splitAscii(text: string): string[] {
  const pieces: string[] = [];
  const n = text.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isAsciiSpace(text.charCodeAt(i))) i++;
    if (i === n) break;
    if (isAsciiWord(text.charCodeAt(i))) {
      while (i < n && isAsciiWord(text.charCodeAt(i))) i++;
    } else {
      i++;
    }
    pieces.push(text.slice(start, i));
    start = i;
  }
  return pieces;
}
