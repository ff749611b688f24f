import { describe, expect, it } from 'vitest';
import { KeyedRing, type RingColumns } from '../src/state/ring';

/** One string column: enough to see that entries keep their values across growth and eviction. */
class Values implements RingColumns<Values> {
  readonly value: Array<string | undefined>;
  constructor(capacity: number) {
    this.value = new Array(capacity);
  }
  release(at: number): void {
    this.value[at] = undefined;
  }
  copyTo(target: Values, from: number, to: number): void {
    target.value[to] = this.value[from];
  }
}

function put(ring: KeyedRing<Values>, key: string, value: string, bytes = 1): void {
  const at = ring.place(key, bytes);
  ring.columns.value[at] = value;
  ring.trim();
}

const read = (ring: KeyedRing<Values>, key: string) => {
  const at = ring.find(key);
  return at === undefined ? undefined : ring.columns.value[at];
};

describe('KeyedRing', () => {
  it('grows past its first size and wraps around, every kept entry keeping its value', () => {
    const ring = new KeyedRing({ maxCount: 200, maxBytes: 1_000_000 }, (n) => new Values(n));
    // 500 entries through a 200-place ring: it grows 64 → 128 → 200, then wraps while evicting.
    for (let i = 0; i < 500; i++) put(ring, `k${i}`, `v${i}`);
    expect(ring.size).toBe(200);
    expect(ring.usage()).toMatchObject({ count: 200, bytes: 200, evicted: 300 });
    for (let i = 0; i < 300; i++) expect(read(ring, `k${i}`)).toBeUndefined();
    for (let i = 300; i < 500; i++) expect(read(ring, `k${i}`)).toBe(`v${i}`);
  });

  it('moves entries to their new places when it grows after wrapping', () => {
    // Evictions by bytes make the ring wrap before it is full; growing must then move entries in order.
    const ring = new KeyedRing({ maxCount: 1_000, maxBytes: 50 }, (n) => new Values(n));
    for (let i = 0; i < 100; i++) put(ring, `a${i}`, `a${i}`, 1);
    put(ring, 'big', 'big', 40); // evicts the 90 oldest: the ring's head is now past place 64
    for (let i = 0; i < 130; i++) put(ring, `b${i}`, `b${i}`, 0);
    expect(read(ring, 'big')).toBe('big');
    for (let i = 90; i < 100; i++) expect(read(ring, `a${i}`)).toBe(`a${i}`);
    for (let i = 0; i < 130; i++) expect(read(ring, `b${i}`)).toBe(`b${i}`);
    expect(ring.usage()).toMatchObject({ count: 141, bytes: 50, evicted: 90 });
  });

  it('evicts the oldest by bytes but always keeps the newest, and a key set again keeps its age', () => {
    const ring = new KeyedRing({ maxCount: 10, maxBytes: 100 }, (n) => new Values(n));
    put(ring, 'a', 'a1', 30);
    put(ring, 'b', 'b1', 30);
    put(ring, 'a', 'a2', 80); // in place: a is still the oldest, so going over 100 bytes evicts it
    expect(read(ring, 'a')).toBeUndefined();
    expect(read(ring, 'b')).toBe('b1');
    put(ring, 'huge', 'h', 500); // alone over the cap: kept, everything older goes
    expect(read(ring, 'huge')).toBe('h');
    expect(ring.usage()).toMatchObject({ count: 1, bytes: 500, evicted: 2 });
    ring.clear();
    // The key itself is gone, not only its value (the newest key is looked up without the map).
    expect(ring.find('huge')).toBeUndefined();
    expect(ring.usage()).toMatchObject({ count: 0, bytes: 0, evicted: 0 });
    put(ring, 'c', 'c1');
    expect(read(ring, 'c')).toBe('c1');
  });

  it('finds the newest entry at its place and forgets it once evicted', () => {
    const ring = new KeyedRing({ maxCount: 1, maxBytes: 100 }, (n) => new Values(n));
    put(ring, 'a', 'a1');
    expect(read(ring, 'a')).toBe('a1');
    put(ring, 'b', 'b1'); // the ring holds one entry: a goes
    expect(ring.find('a')).toBeUndefined();
    expect(read(ring, 'b')).toBe('b1');
    put(ring, 'b', 'b2');
    expect(read(ring, 'b')).toBe('b2');
    expect(ring.usage()).toMatchObject({ count: 1, evicted: 1 });
  });
});
