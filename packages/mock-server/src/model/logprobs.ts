/**
 * Deterministic log probabilities for `logprobs: true` (docs/mock-server.md, "Log probabilities"): one
 * entry per reply token (the pieces of model/tokens.ts, so the tokens concatenate to the content), each
 * a pure function of the token and its position. The chosen token is the most likely one; the
 * alternatives are ordinary tokens, each half as likely as the one before, and all probabilities at a
 * position add up to less than 1.
 */

/** Tokens of one reply that carry log probabilities; a longer reply has none for the rest. */
export const MAX_LOGPROB_TOKENS = 4096;
/** The largest `top_logprobs` (OpenAI's). */
export const MAX_TOP_LOGPROBS = 20;

export interface TopLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

export interface TokenLogprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

/** Alternatives offered at each position (the chosen token is skipped if it is one of them). */
const ALTERNATIVES = [
  ' the',
  ',',
  '.',
  ' a',
  ' and',
  ' to',
  ' of',
  ' is',
  ' in',
  ' that',
  ' it',
  ' you',
  ' for',
  ' on',
  ' with',
  ' as',
  ' was',
  ' this',
  ' be',
  ' at',
  ' I',
  '\n',
];

const encoder = new TextEncoder();
const bytesOf = (token: string) => Array.from(encoder.encode(token));
/** Six decimals, rounded down (so the probabilities still add up to less than 1), short on the wire. */
const round = (x: number) => Math.floor(x * 1e6) / 1e6;

/** FNV-1a over the token's UTF-16 units and its position: a stable, cheap hash. */
function hash(token: string, position: number): number {
  let h = 0x811c9dc5 ^ position;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The log probabilities of one token at `position`, with `top` alternatives (the token itself first). */
export function tokenLogprob(token: string, position: number, top: number): TokenLogprob {
  const h = hash(token, position);
  // What is left for the alternatives: 1% to 10% of the probability mass.
  const rest = 0.01 + (h % 91) / 1000;
  const logprob = round(Math.log(1 - rest));
  const entry = { token, logprob, bytes: bytesOf(token) };
  const top_logprobs: TopLogprob[] = [];
  if (top > 0) top_logprobs.push({ ...entry });
  const start = h % ALTERNATIVES.length;
  for (let k = 0; top_logprobs.length < Math.min(top, MAX_TOP_LOGPROBS); k++) {
    const alternative = ALTERNATIVES[(start + k) % ALTERNATIVES.length]!;
    if (alternative === token) continue;
    const share = top_logprobs.length; // 1 for the first alternative, 2 for the next…
    top_logprobs.push({
      token: alternative,
      logprob: round(Math.log(rest) - share * Math.LN2),
      bytes: bytesOf(alternative),
    });
  }
  return { ...entry, top_logprobs };
}

/** Log probabilities of a reply's token pieces, the first MAX_LOGPROB_TOKENS of them. */
export function replyLogprobs(pieces: readonly string[], top: number): TokenLogprob[] {
  const count = Math.min(pieces.length, MAX_LOGPROB_TOKENS);
  const out: TokenLogprob[] = [];
  for (let i = 0; i < count; i++) out.push(tokenLogprob(pieces[i]!, i, top));
  return out;
}
