import type { LedgerEntry } from './ledger';
import { contentTerms, type RecallCandidate, rankCandidates, sentences } from './retrieve';

/**
 * For each content word of a question, how many of the newest sentences holding it are scored. Past
 * that, older sentences sharing only that word are not looked at: a question costs the same in a scope
 * of a million items as in one of a thousand.
 */
export const RECALL_SENTENCES_PER_TERM = 256;
/** Content words of a question beyond these (in order of first use) are not looked up. */
export const RECALL_QUERY_TERMS = 64;
/**
 * Postings read per word at most, forgotten and skipped ones included: how long a walk can be even
 * where many recent items were replaced (idempotent resends).
 */
const RECALL_WALK_LIMIT = 4 * RECALL_SENTENCES_PER_TERM;
/** What one posting is counted as in the memory store's byte cap (its id, its share of the word's list). */
export const POSTING_BYTES = 64;

/**
 * Whether a sentence is the question itself (retrieve.ts leaves it out). Lower-casing never shortens a
 * text and at most doubles it (`İ` becomes two code units), so most sentences are told apart by length
 * without lower-casing them, and no lower-cased copy of every sentence is kept.
 */
function isTheQuestion(text: string, normalisedQuery: string): boolean {
  if (text.length > normalisedQuery.length || text.length * 2 < normalisedQuery.length) return false;
  return text.toLowerCase() === normalisedQuery;
}

/** One remembered sentence, analysed once when its item was remembered. */
interface IndexedSentence {
  text: string;
  /** The ledger item it came from. */
  seq: number;
  tier: number;
  question: boolean;
  /** How many postings name it (its distinct content words). */
  terms: number;
}

/**
 * One scope's sentences by content word, so that answering a question walks the sentences sharing its
 * words instead of re-reading the whole scope: retrieve.ts's ranking, with each item analysed once
 * (when remembered) rather than on every turn. Sentence ids increase in the order items were remembered,
 * and postings hold them in that order, so the newest come last.
 */
export class RecallIndex {
  /** Sentences by id − `#base` (forgotten ones are holes, dropped from the front when rebuilt). */
  #sentences: Array<IndexedSentence | undefined> = [];
  #base = 0;
  /** Content word → ids of the sentences holding it, oldest first (forgotten ones among them). */
  #postings = new Map<string, number[]>();
  /** Ledger item → the ids of its sentences: [first, count]. */
  readonly #itemSentences = new Map<number, [number, number]>();
  #nextId = 0;
  #livePostings = 0;
  #stalePostings = 0;

  /** Indexes an item; returns how many postings it added (for the store's byte count). */
  add(entry: LedgerEntry): number {
    // retrieve.ts leaves system and developer messages out of recall.
    if (entry.role === 'system' || entry.role === 'developer') return 0;
    const first = this.#nextId;
    const before = this.#livePostings;
    const tier = entry.role === 'assistant' ? 1 : 0;
    for (const text of sentences(entry.text)) {
      const terms = contentTerms(text);
      // Only a sentence with a content word can be recalled (through that word): no other is kept.
      if (terms.size === 0) continue;
      const id = this.#nextId++;
      this.#sentences.push({
        text,
        seq: entry.seq,
        tier,
        question: text.endsWith('?'),
        terms: terms.size,
      });
      for (const term of terms) this.#post(term, id);
    }
    if (this.#nextId > first) this.#itemSentences.set(entry.seq, [first, this.#nextId - first]);
    return this.#livePostings - before;
  }

  /**
   * Forgets an item (evicted or replaced); returns how many postings it had. They are dropped in
   * batches.
   */
  forget(seq: number): number {
    const span = this.#itemSentences.get(seq);
    if (!span) return 0;
    this.#itemSentences.delete(seq);
    const before = this.#livePostings;
    for (let id = span[0]; id < span[0] + span[1]; id++) {
      const sentence = this.#sentenceAt(id);
      if (!sentence) continue;
      this.#sentences[id - this.#base] = undefined;
      this.#livePostings -= sentence.terms;
      this.#stalePostings += sentence.terms;
    }
    // Rebuilt once forgotten postings outnumber the live ones: O(1) amortised per forgotten posting.
    if (this.#stalePostings > 1024 && this.#stalePostings > this.#livePostings) this.#compact();
    return before - this.#livePostings;
  }

  /** Items with a sentence indexed (one holding a content word). */
  get size(): number {
    return this.#itemSentences.size;
  }

  /** Sentence places held, forgotten ones included (for inspection and tests). */
  get sentencesHeld(): number {
    return this.#sentences.length;
  }

  /** Postings held, forgotten ones included (counted one by one: for inspection and tests). */
  get postingsHeld(): number {
    let held = 0;
    for (const ids of this.#postings.values()) held += ids.length;
    return held;
  }

  /**
   * Up to `limit` remembered sentences for `query`, ranked as retrieve.ts ranks them, each content word
   * scoring only its newest RECALL_SENTENCES_PER_TERM sentences. Items whose seq `skip` accepts are
   * left out (an idempotent resend's own earlier attempt).
   */
  recall(query: string, limit: number, skip?: ReadonlySet<number>): string[] {
    const wanted = contentTerms(query);
    if (wanted.size === 0) return [];
    const normalisedQuery = query.trim().toLowerCase();
    const scores = new Map<number, number>();
    let terms = 0;
    for (const term of wanted) {
      if (terms++ === RECALL_QUERY_TERMS) break;
      const ids = this.#postings.get(term);
      if (!ids) continue;
      let seen = 0;
      const stop = Math.max(0, ids.length - RECALL_WALK_LIMIT);
      for (let i = ids.length - 1; i >= stop && seen < RECALL_SENTENCES_PER_TERM; i--) {
        const id = ids[i]!;
        const sentence = this.#sentenceAt(id);
        if (!sentence || skip?.has(sentence.seq)) continue;
        seen++;
        scores.set(id, (scores.get(id) ?? 0) + 1);
      }
    }
    const candidates: RecallCandidate[] = [];
    for (const [id, score] of scores) {
      const sentence = this.#sentenceAt(id)!;
      if (isTheQuestion(sentence.text, normalisedQuery)) continue;
      const { text, tier, question, seq } = sentence;
      candidates.push({ text, score, tier, question, seq, order: id });
    }
    return rankCandidates(candidates, limit);
  }

  #post(term: string, id: number): void {
    const ids = this.#postings.get(term);
    if (ids) ids.push(id);
    else this.#postings.set(term, [id]);
    this.#livePostings++;
  }

  #compact(): void {
    const postings = new Map<string, number[]>();
    for (const [term, ids] of this.#postings) {
      const live = ids.filter((id) => this.#sentenceAt(id) !== undefined);
      if (live.length > 0) postings.set(term, live);
    }
    this.#postings = postings;
    this.#stalePostings = 0;
    let dead = 0;
    while (dead < this.#sentences.length && this.#sentences[dead] === undefined) dead++;
    this.#sentences = this.#sentences.slice(dead);
    this.#base += dead;
  }

  #sentenceAt(id: number): IndexedSentence | undefined {
    return id < this.#base ? undefined : this.#sentences[id - this.#base];
  }
}
