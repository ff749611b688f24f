/**
 * The building blocks of every in-memory store's bounds: a FIFO with O(1) amortised removal from the
 * front, a meter of count and (estimated) bytes against two caps, and a map that evicts its oldest
 * entries past either cap. Sizes are estimated once, when an entry is stored: text counts one byte per
 * character, binary data its byte length, plus a fixed overhead per entry.
 */

/** The two caps of one store. */
export interface StoreCap {
  maxCount: number;
  maxBytes: number;
}

/** What `GET /health` shows of a store. */
export interface StoreUsage extends StoreCap {
  count: number;
  bytes: number;
  /** Entries dropped to stay within the caps since start (or the last reset). */
  evicted: number;
}

/** A store that can say how full it is (in-memory stores; the `db` file's stores are on disk). */
export interface MeteredStore {
  usage(): StoreUsage;
}

export const hasUsage = (store: unknown): store is MeteredStore =>
  typeof (store as Partial<MeteredStore> | null)?.usage === 'function';

/** The estimated size of a string, or 0 for anything else. */
export const textBytes = (value: unknown): number => (typeof value === 'string' ? value.length : 0);

/** First in, first out; the front advances by an index and the array is compacted now and then. */
export class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Compacting once the dead front outgrows the live part keeps every shift O(1) amortised.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }

  /** The newest `count` items `keep` accepts, oldest first (reads back from the newest only). */
  newest(count: number, keep: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = this.#items.length - 1; i >= this.#head && out.length < count; i--) {
      const item = this.#items[i] as T;
      if (keep(item)) out.push(item);
    }
    return out.reverse();
  }

  /** Keeps only the items `keep` accepts (O(n); for rare rewrites). */
  filter(keep: (item: T) => boolean): void {
    this.#items = (this.#items.slice(this.#head) as T[]).filter(keep);
    this.#head = 0;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

/** Count and bytes of a store against its caps, and how many entries it evicted. */
export class StoreMeter {
  count = 0;
  bytes = 0;
  evicted = 0;
  readonly cap: StoreCap;

  constructor(cap: StoreCap) {
    this.cap = { ...cap };
  }

  /** Over a cap while more than one entry is held: the newest entry is always kept, even alone too big. */
  get over(): boolean {
    return this.count > 1 && (this.count > this.cap.maxCount || this.bytes > this.cap.maxBytes);
  }

  add(bytes: number): void {
    this.count++;
    this.bytes += bytes;
  }

  remove(bytes: number, evicted: boolean): void {
    this.count--;
    this.bytes -= bytes;
    if (evicted) this.evicted++;
  }

  reset(): void {
    this.count = 0;
    this.bytes = 0;
    this.evicted = 0;
  }

  usage(): StoreUsage {
    return { count: this.count, bytes: this.bytes, ...this.cap, evicted: this.evicted };
  }
}

interface Slot<V> {
  key: string;
  value: V;
  bytes: number;
  /** Deleted or replaced: its FIFO entry is skipped (no map lookup needed to tell). */
  stale: boolean;
}

/**
 * A map bounded by count and bytes: past either cap its oldest entries are evicted (and passed to
 * `onEvict`). Replacing a key makes it the newest.
 */
export class BoundedMap<V> implements MeteredStore {
  readonly #slots = new Map<string, Slot<V>>();
  // The slots themselves queue in insertion order (one object per insert): a slot no longer in the
  // map (deleted or replaced) is marked stale and skipped.
  readonly #order = new Fifo<Slot<V>>();
  readonly #meter: StoreMeter;
  readonly #onEvict: ((key: string, value: V) => void) | undefined;

  constructor(cap: StoreCap, onEvict?: (key: string, value: V) => void) {
    this.#meter = new StoreMeter(cap);
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#slots.size;
  }

  get(key: string): V | undefined {
    return this.#slots.get(key)?.value;
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  set(key: string, value: V, bytes: number): void {
    // A new key (the common case) costs one lookup here; only a replaced one is dropped first.
    if (this.#slots.has(key)) this.#drop(key, false);
    const slot: Slot<V> = { key, value, bytes, stale: false };
    this.#slots.set(key, slot);
    this.#order.push(slot);
    this.#meter.add(bytes);
    this.#evict();
  }

  /**
   * Changes an entry in place and records its new size (it keeps its age), with one lookup; false when
   * the key is not held.
   */
  update(key: string, change: (value: V) => void, bytesOf: (value: V) => number): boolean {
    const slot = this.#slots.get(key);
    if (!slot) return false;
    change(slot.value);
    const bytes = bytesOf(slot.value);
    this.#meter.bytes += bytes - slot.bytes;
    slot.bytes = bytes;
    this.#evict();
    return true;
  }

  /** Records a new size for an entry that changed in place (it keeps its age). */
  resize(key: string, bytes: number): void {
    const slot = this.#slots.get(key);
    if (!slot) return;
    this.#meter.bytes += bytes - slot.bytes;
    slot.bytes = bytes;
    this.#evict();
  }

  delete(key: string): boolean {
    return this.#drop(key, false);
  }

  /** Oldest first. */
  values(): V[] {
    const out: V[] = [];
    for (const queued of this.#order.toArray()) if (!queued.stale) out.push(queued.value);
    return out;
  }

  clear(): void {
    this.#slots.clear();
    this.#order.clear();
    this.#meter.reset();
  }

  usage(): StoreUsage {
    return this.#meter.usage();
  }

  #drop(key: string, evicted: boolean): boolean {
    const slot = this.#slots.get(key);
    if (!slot) return false;
    slot.stale = true;
    this.#slots.delete(key);
    this.#meter.remove(slot.bytes, evicted);
    // Deleted keys leave stale entries in the FIFO; rebuild it when they outnumber the live ones.
    if (this.#order.length > 2 * this.#slots.size + 1024) {
      this.#order.filter((queued) => !queued.stale);
    }
    return true;
  }

  #evict(): void {
    while (this.#meter.over) {
      const oldest = this.#order.shift();
      if (!oldest) return;
      if (oldest.stale) continue;
      // The oldest live slot, already in hand: one lookup to delete it, and no stale entry left behind.
      this.#slots.delete(oldest.key);
      this.#meter.remove(oldest.bytes, true);
      this.#onEvict?.(oldest.key, oldest.value);
    }
  }
}
