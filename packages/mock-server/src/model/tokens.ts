import { isSpaceAt, isWordAt, widthAt } from './chars';

/**
 * Deterministic token counting (documented in docs/mock-server.md):
 * a token is a run of letters, digits and `_`, or any other single non-space character; whitespace
 * belongs to the token after it. `"Hello, world!"` is 4 tokens: `Hello` `,` ` world` `!`.
 * Both passes below are one hand-written scan of the text (linear, no regex over the whole text).
 */
export function countTokens(text: string): number {
  let count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (isSpaceAt(text, i)) {
      i++;
      continue;
    }
    count++;
    i = tokenEnd(text, i);
  }
  return count;
}

/** Where the token starting at `i` (a non-space) ends. */
function tokenEnd(text: string, i: number): number {
  const n = text.length;
  if (!isWordAt(text, i)) return i + widthAt(text, i);
  let end = i + widthAt(text, i);
  while (end < n && isWordAt(text, end)) end += widthAt(text, end);
  return end;
}

/**
 * Cuts text into one piece per token (whitespace before a token stays with it; trailing whitespace goes
 * with the last piece). `pieces.join('') === text` always; `pieces.length === countTokens(text)`
 * except for text that is only whitespace (one piece, zero tokens).
 */
export function splitTokens(text: string): string[] {
  const pieces: string[] = [];
  const n = text.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isSpaceAt(text, i)) i++;
    if (i === n) break;
    i = tokenEnd(text, i);
    pieces.push(text.slice(start, i));
    start = i;
  }
  if (start < n) {
    if (pieces.length === 0) return [text];
    pieces[pieces.length - 1] += text.slice(start);
  }
  return pieces;
}

/** The last texts cut, so a text served again and again (a fixture's reply) is cut once. */
const RECENT_CUTS = 8;
const recentTexts: string[] = [];
const recentPieces: ReadonlyArray<string>[] = [];
/** Each remembered cut's pieces as JSON strings, made when a stream first asks for them. */
const recentQuoted: Array<ReadonlyArray<string> | undefined> = [];
/** Each remembered cut's whole text as a JSON string, made when an answer first asks for it. */
const recentTextJson: Array<string | undefined> = [];
let nextSlot = 0;

/**
 * `splitTokens`, remembered for the last few texts. The pieces are shared between the callers that cut
 * the same text, so they come frozen: copy them (`slice`) to change them.
 */
export function cutTokens(text: string): readonly string[] {
  for (let i = 0; i < recentTexts.length; i++) if (recentTexts[i] === text) return recentPieces[i]!;
  const pieces = Object.freeze(splitTokens(text));
  recentTexts[nextSlot] = text;
  recentPieces[nextSlot] = pieces;
  recentQuoted[nextSlot] = undefined;
  recentTextJson[nextSlot] = undefined;
  nextSlot = (nextSlot + 1) % RECENT_CUTS;
  return pieces;
}

/**
 * `pieces.map((piece) => JSON.stringify(piece))`: for pieces `cutTokens` gave, made once per remembered
 * cut, as a stream of a text served again and again would quote each of its pieces again on every answer.
 */
export function quotedPieces(pieces: readonly string[]): readonly string[] {
  for (let i = 0; i < recentPieces.length; i++) {
    if (recentPieces[i] === pieces) {
      recentQuoted[i] ??= Object.freeze(pieces.map((piece) => JSON.stringify(piece)));
      return recentQuoted[i]!;
    }
  }
  return pieces.map((piece) => JSON.stringify(piece));
}

/**
 * `JSON.stringify(text)`, kept with the remembered cut of the same text: an answer writes its reply text
 * in several places (the message, its part, the done events), and a fixture's reply is served again and
 * again.
 */
export function quotedText(text: string): string {
  for (let i = 0; i < recentTexts.length; i++) {
    if (recentTexts[i] === text) {
      recentTextJson[i] ??= JSON.stringify(text);
      return recentTextJson[i]!;
    }
  }
  return JSON.stringify(text);
}
