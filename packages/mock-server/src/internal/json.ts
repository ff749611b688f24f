import { ERROR_CODES, MAX_JSON_DEPTH } from '@threadline/protocol';
import { HttpError } from './errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`, stopping as soon as it does. One linear
 * pass over brackets outside strings (string bodies are skipped with a native quote search), so it runs
 * before JSON.parse and before anything recursive (validation, the journal's JSON.stringify) meets a
 * value nested thousands of levels deep. Works on UTF-8 bytes as well as on text: no byte of a multi-byte
 * character equals a quote, backslash or bracket. Malformed text is not judged here; JSON.parse does that.
 */
export function jsonDepthOver(text: string | Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  if (typeof text !== 'string' && text.length <= SMALL_BYTES) return smallBytesDepthOver(text, limit);
  const length = text.length;
  const at: (i: number) => number =
    typeof text === 'string' ? (i) => text.charCodeAt(i) : (i) => (text as Uint8Array)[i]!;
  const nextQuote: (from: number) => number =
    typeof text === 'string'
      ? (from) => text.indexOf('"', from)
      : (from) => (text as Uint8Array).indexOf(QUOTE, from);
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const c = at(i);
    if (c === QUOTE) {
      // To the closing quote: the first one not escaped by an odd run of backslashes before it. Each
      // backslash is counted once at most (only the run right before a quote), so this stays linear.
      let close = nextQuote(i + 1);
      while (close !== -1) {
        let slashes = 0;
        while (at(close - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
        close = nextQuote(close + 1);
      }
      if (close === -1) return false;
      i = close;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** Bodies up to this many bytes are scanned byte by byte: a native quote search costs more per call. */
const SMALL_BYTES = 4096;

/** jsonDepthOver for a small body, one byte at a time (a backslash in a string skips the next byte). */
function smallBytesDepthOver(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** The 400 for JSON nested past the limit; `what` names it ("The request body", "notes.json"). */
export const jsonTooDeep = (what: string, param: string | null = null): HttpError =>
  new HttpError({
    status: 400,
    code: ERROR_CODES.jsonTooDeep,
    param,
    message: `${what} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`,
  });

/** JSON.parse that first refuses text nested past MAX_JSON_DEPTH (throws `jsonTooDeep(what)`). */
export function parseBoundedJson(text: string, what: string, param: string | null = null): unknown {
  if (jsonDepthOver(text)) throw jsonTooDeep(what, param);
  return JSON.parse(text);
}
