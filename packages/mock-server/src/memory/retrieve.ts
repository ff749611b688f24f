import type { LedgerEntry } from './ledger';

/** Words too common to say whether a passage answers a question. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in is it its ' +
    'me my of on or our so that the their them then there these they this to was we were what when where ' +
    'which who whom why will with would you your please tell say said about again remember recall'
  ).split(' '),
);

/** The content words of a text, lower-cased (letters and digits, 2+ characters: `AMBER-FALCON-7` gives two). */
export function contentTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word.length >= 2 && !STOP_WORDS.has(word)) terms.add(word);
  }
  return terms;
}

/** Sentences of a text: split after `.`, `!` or `?` followed by space, and at line breaks. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/^#+\s*/, '').trim())
    .filter((s) => s.length > 0);
}

/** A sentence that shares content words with the question, and what ranks it. */
export interface RecallCandidate {
  text: string;
  score: number;
  /** 0 documents, user and tool messages; 1 assistant text (the model's own words rank last). */
  tier: number;
  question: boolean;
  seq: number;
  /** Remembering order (item, then sentence within it): breaks the ties that remain. */
  order: number;
}

/**
 * The first `limit` distinct texts, ranked: most shared content words first; then what users, tools and
 * documents said before what the assistant said; statements before questions; the most recent first.
 * Ties left after all that go by remembering order.
 */
export function rankCandidates(candidates: RecallCandidate[], limit: number): string[] {
  candidates.sort(
    (a, b) =>
      b.score - a.score ||
      a.tier - b.tier ||
      Number(a.question) - Number(b.question) ||
      b.seq - a.seq ||
      a.order - b.order,
  );
  const out: string[] = [];
  for (const candidate of candidates) {
    if (!out.includes(candidate.text)) out.push(candidate.text);
    if (out.length === limit) break;
  }
  return out;
}

/**
 * Ranks remembered sentences against a query, deterministically (see rankCandidates), reading every
 * entry. Sentences sharing no content word are never returned. The in-memory ledger answers the same
 * from its RecallIndex (recall-index.ts) without re-reading the scope.
 */
export function retrieve(query: string, entries: readonly LedgerEntry[], limit = 3): string[] {
  const wanted = contentTerms(query);
  if (wanted.size === 0) return [];
  const normalisedQuery = query.trim().toLowerCase();
  const candidates: RecallCandidate[] = [];
  for (const entry of entries) {
    if (entry.role === 'system' || entry.role === 'developer') continue;
    for (const sentence of sentences(entry.text)) {
      if (sentence.toLowerCase() === normalisedQuery) continue;
      let score = 0;
      for (const term of contentTerms(sentence)) if (wanted.has(term)) score++;
      if (score === 0) continue;
      candidates.push({
        text: sentence,
        score,
        tier: entry.role === 'assistant' ? 1 : 0,
        question: sentence.endsWith('?'),
        seq: entry.seq,
        order: candidates.length,
      });
    }
  }
  return rankCandidates(candidates, limit);
}
