import { describe, expect, it } from 'vitest';
import { type LedgerEntry, MemoryLedger, type NewLedgerEntry } from '../src/memory/ledger';
import { RECALL_SENTENCES_PER_TERM, RecallIndex } from '../src/memory/recall-index';
import { contentTerms, retrieve, sentences } from '../src/memory/retrieve';

/** A small deterministic PRNG (mulberry32): the same cases on every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'amber falcon river stone lamp orchard violet copper meadow harbor seven 42 tea my the is'.split(' ');
const ROLES: Array<LedgerEntry['role']> = ['user', 'assistant', 'tool', null, 'system'];

function sentence(next: () => number): string {
  const n = 1 + Math.floor(next() * 4);
  const words = Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]!);
  const end = ['.', '?', '!', ''][Math.floor(next() * 4)]!;
  return `${words.join(next() < 0.2 ? '-' : ' ')}${end}`;
}

function newEntry(next: () => number): NewLedgerEntry {
  const role = ROLES[Math.floor(next() * ROLES.length)]!;
  const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, () => sentence(next));
  return {
    kind: role === null ? 'document' : 'message',
    role,
    text: parts.join(next() < 0.5 ? ' ' : '\n'),
    toolCalls: [],
    toolCallId: null,
    name: null,
    runId: null,
    createdAt: 0,
  };
}

describe('RecallIndex', () => {
  it('ranks exactly as a full read of the scope does, through appends, removals and evictions', () => {
    const next = prng(7);
    // Small caps: the oldest items are evicted as the scope grows, as in a long-running server.
    const ledger = new MemoryLedger({ maxCount: 60, maxBytes: 1_000_000 });
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      ledger.append('s', [newEntry(next)]);
      if (next() < 0.1) {
        const kept = ledger.list('s');
        const victim = kept[Math.floor(next() * kept.length)];
        if (victim) ledger.remove('s', [victim.seq]);
      }
      const entries = ledger.list('s');
      const skipped = new Set(entries.filter(() => next() < 0.1).map((e) => e.seq));
      for (let q = 0; q < 3; q++) {
        // Questions of remembered words, sometimes a whole remembered sentence (never recalled as is).
        const query = next() < 0.2 && entries[0] ? entries[0].text : sentence(next);
        const visible = entries.filter((e) => !skipped.has(e.seq));
        expect(ledger.recall('s', query, 3, skipped)).toEqual(retrieve(query, visible, 3));
        checked++;
      }
    }
    expect(checked).toBe(900);
    expect(ledger.usage().evicted).toBeGreaterThan(0);
  });

  it('gives the same answers after most of its items are forgotten (postings rebuilt)', () => {
    const next = prng(11);
    const index = new RecallIndex();
    const entries: LedgerEntry[] = [];
    for (let seq = 1; seq <= 3_000; seq++) {
      const entry = { ...newEntry(next), seq };
      entries.push(entry);
      index.add(entry);
    }
    // Forgetting 2,900 of them, in no order, crosses the rebuild threshold several times; the 100 left
    // are spread over the whole history, old ones included.
    const order = entries.map((entry) => ({ entry, key: next() })).sort((a, b) => a.key - b.key);
    const forgotten = new Set(order.slice(0, 2_900).map(({ entry }) => entry.seq));
    for (const { entry } of order.slice(0, 2_900)) index.forget(entry.seq);
    const left = entries.filter((entry) => !forgotten.has(entry.seq));
    const recallable = (e: LedgerEntry) =>
      e.role !== 'system' && sentences(e.text).some((text) => contentTerms(text).size > 0);
    expect(index.size).toBe(left.filter(recallable).length);
    // What was forgotten does not stay: past the live postings, at most as many again (plus the
    // rebuild's floor) are held.
    let live = 0;
    for (const entry of left) {
      if (entry.role === 'system') continue;
      for (const text of sentences(entry.text)) live += contentTerms(text).size;
    }
    expect(live).toBeGreaterThan(0);
    expect(index.postingsHeld).toBeGreaterThanOrEqual(live);
    expect(index.postingsHeld).toBeLessThanOrEqual(2 * live + 1024);
    for (let q = 0; q < 200; q++) {
      const query = sentence(next);
      expect(index.recall(query, 3)).toEqual(retrieve(query, left, 3));
    }
  });

  it('holds no more than a bounded multiple of what it keeps while the oldest items go', () => {
    const index = new RecallIndex();
    const text = (seq: number) => (seq % 2 ? '!!' : `Word ${seq} here.`);
    for (let seq = 1; seq <= 20_000; seq++) {
      index.add({ ...newEntry(prng(seq)), role: 'user', text: text(seq), seq });
      // The ledger's order: the oldest go first, 100 items stay.
      if (seq > 100) index.forget(seq - 100);
    }
    // 50 of the 100 items kept have a content word, two postings each ("word" and the number).
    expect(index.size).toBe(50);
    expect(index.sentencesHeld).toBeLessThanOrEqual(50 + 1024);
    expect(index.postingsHeld).toBeLessThanOrEqual(2 * 100 + 1024);
    expect(index.recall('word 19998', 1)).toEqual(['Word 19998 here.']);
  });

  it('reads a bounded number of postings per word, however many recent ones were forgotten', () => {
    const index = new RecallIndex();
    for (let seq = 1; seq <= 20_000; seq++) {
      const text = seq % 2 ? `Alpha note k${seq}.` : `Other words k${seq}.`;
      expect(index.add({ ...newEntry(prng(seq)), role: 'user', text, seq })).toBe(3);
    }
    // The newest 5,000 "alpha" sentences are forgotten; too few to rebuild the postings yet.
    for (let seq = 19_999; seq > 10_000; seq -= 2) expect(index.forget(seq)).toBe(3);
    expect(index.forget(19_999)).toBe(0);
    // Older "alpha" sentences are still kept, but lie past the walk's bound: a question about alpha
    // finds nothing rather than reading thousands of forgotten postings.
    expect(index.recall('alpha', 3)).toEqual([]);
    // Its own rare word still reaches an old sentence.
    expect(index.recall('note k9999', 1)).toEqual(['Alpha note k9999.']);
  });

  it('scores, per word of the question, only the newest sentences holding it', () => {
    const index = new RecallIndex();
    let seq = 0;
    const add = (text: string, role: LedgerEntry['role'] = 'user') =>
      index.add({ ...newEntry(prng(1)), role, text, seq: ++seq });
    add('The amber key opens the orchard gate.');
    // One word of the question in more sentences than are scored for it.
    for (let i = 0; i <= RECALL_SENTENCES_PER_TERM; i++) add(`Amber note ${i}.`);
    // A full read would rank the first sentence first (two shared words); here "amber" reaches only
    // the newest sentences, so the old one shares just "orchard" and ranks with the rest by recency.
    const entriesScore = index.recall('amber orchard', 3);
    expect(entriesScore).toEqual([
      `Amber note ${RECALL_SENTENCES_PER_TERM}.`,
      `Amber note ${RECALL_SENTENCES_PER_TERM - 1}.`,
      `Amber note ${RECALL_SENTENCES_PER_TERM - 2}.`,
    ]);
    // A rarer word still finds it however old it is.
    expect(index.recall('orchard gate', 3)).toEqual(['The amber key opens the orchard gate.']);
  });
});
