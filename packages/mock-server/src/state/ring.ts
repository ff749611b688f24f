import { type MeteredStore, type StoreCap, StoreMeter, type StoreUsage } from './bounded';

/** Per-place columns a KeyedRing keeps beside its keys (typed arrays, arrays of shared values…). */
export interface RingColumns<Self> {
  /** Lets go of what place `at` references. */
  release(at: number): void;
  /** Copies place `from` to place `to` of `target` (when the ring grows). */
  copyTo(target: Self, from: number, to: number): void;
}

/** The ring's first size; it doubles as entries arrive, up to the count cap. */
const FIRST_CAPACITY = 64;

/**
 * Keys in arrival order, bounded by count and bytes like every store, each with a place in columns the
 * owner defines. A store built on it keeps an entry without an object of its own per entry (no slot, no
 * record): for stores written on every request, thousands of small objects would be work for every
 * garbage collection. The oldest entries are evicted first; an entry set again under its key keeps its
 * place and age. Entries are never deleted one by one (only cleared), so the ring has no holes.
 */
export class KeyedRing<C extends RingColumns<C>> implements MeteredStore {
  /** Key → its sequence number (its place is that modulo the capacity). */
  readonly #index = new Map<string, number>();
  readonly #meter: StoreMeter;
  readonly #maxCount: number;
  readonly #makeColumns: (capacity: number) => C;
  #capacity = 0;
  #keys: Array<string | undefined> = [];
  #bytes = new Float64Array(0);
  #columns!: C;
  /** Sequence number of the oldest entry; the ring holds `#meter.count` entries from there. */
  #head = 0;
  /**
   * The newest key and its sequence number: a store most often reads back the entry it just placed (a
   * run updated as it ends), and this spares that read a hash lookup in a map of thousands of keys.
   */
  #newestKey: string | undefined;
  #newestSeq = 0;

  constructor(cap: StoreCap, makeColumns: (capacity: number) => C) {
    this.#meter = new StoreMeter(cap);
    this.#maxCount = cap.maxCount;
    this.#makeColumns = makeColumns;
    this.#allocate(Math.min(FIRST_CAPACITY, cap.maxCount));
  }

  /** The columns, to read and write at a place this ring gave (valid until the next `place`). */
  get columns(): C {
    return this.#columns;
  }

  get size(): number {
    return this.#meter.count;
  }

  /** Where `key`'s entry is, or undefined. */
  find(key: string): number | undefined {
    if (key === this.#newestKey) return this.#newestSeq % this.#capacity;
    const seq = this.#index.get(key);
    return seq === undefined ? undefined : seq % this.#capacity;
  }

  /**
   * The place for `key` with its size: its own when it is kept, else the newest (growing the ring, or
   * evicting the oldest entry, to make room). Write the columns there, then call `trim`.
   */
  place(key: string, bytes: number): number {
    const known = this.find(key);
    if (known !== undefined) {
      this.resize(known, bytes);
      return known;
    }
    if (this.#meter.count === this.#capacity) {
      if (this.#capacity < this.#maxCount) this.#grow();
      else this.#evictOldest();
    }
    const seq = this.#head + this.#meter.count;
    const at = seq % this.#capacity;
    this.#keys[at] = key;
    this.#bytes[at] = bytes;
    this.#index.set(key, seq);
    this.#newestKey = key;
    this.#newestSeq = seq;
    this.#meter.add(bytes);
    return at;
  }

  /** Records a new size for the entry at `at` (call `trim` after). */
  resize(at: number, bytes: number): void {
    this.#meter.bytes += bytes - this.#bytes[at]!;
    this.#bytes[at] = bytes;
  }

  /** Evicts the oldest entries while over the byte cap (the newest is always kept). */
  trim(): void {
    while (this.#meter.over) this.#evictOldest();
  }

  clear(): void {
    this.#index.clear();
    this.#newestKey = undefined;
    this.#meter.reset();
    this.#head = 0;
    this.#allocate(Math.min(FIRST_CAPACITY, this.#maxCount));
  }

  usage(): StoreUsage {
    return this.#meter.usage();
  }

  #evictOldest(): void {
    const at = this.#head % this.#capacity;
    const key = this.#keys[at]!;
    this.#index.delete(key);
    if (key === this.#newestKey) this.#newestKey = undefined;
    this.#keys[at] = undefined;
    this.#columns.release(at);
    this.#meter.remove(this.#bytes[at]!, true);
    this.#head++;
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#keys = new Array(capacity);
    this.#bytes = new Float64Array(capacity);
    this.#columns = this.#makeColumns(capacity);
  }

  /** Doubles the ring (up to the count cap), every entry moving to its place in the larger one. */
  #grow(): void {
    const capacity = this.#capacity;
    const keys = this.#keys;
    const bytes = this.#bytes;
    const columns = this.#columns;
    this.#allocate(Math.min(capacity * 2, this.#maxCount));
    for (let seq = this.#head; seq < this.#head + this.#meter.count; seq++) {
      const from = seq % capacity;
      const to = seq % this.#capacity;
      this.#keys[to] = keys[from];
      this.#bytes[to] = bytes[from]!;
      columns.copyTo(this.#columns, from, to);
    }
  }
}
