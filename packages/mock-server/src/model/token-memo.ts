import { countTokens } from './tokens';

// A long conversation's earlier messages are counted again on every turn (a thread's history is handed
// to the model each time): their counts are kept while the texts are, within small bounds.

/** Texts longer than this are counted every time (they would pin too much memory here). */
const MAX_TEXT_LENGTH = 1_024;
const MAX_TEXTS = 8_192;
/** Characters held across all kept texts; past it (or MAX_TEXTS) the table starts afresh. */
const MAX_HELD_CHARS = 2_000_000;

const counted = new Map<string, number>();
let heldChars = 0;

/** countTokens(text), remembered for short texts. */
export function countTokensRemembered(text: string): number {
  if (text.length > MAX_TEXT_LENGTH) return countTokens(text);
  const known = counted.get(text);
  if (known !== undefined) return known;
  const tokens = countTokens(text);
  if (counted.size >= MAX_TEXTS || heldChars + text.length > MAX_HELD_CHARS) {
    counted.clear();
    heldChars = 0;
  }
  counted.set(text, tokens);
  heldChars += text.length;
  return tokens;
}

/** How many texts are kept and their characters (for tests). */
export function rememberedTokenCounts(): { texts: number; chars: number } {
  return { texts: counted.size, chars: heldChars };
}
