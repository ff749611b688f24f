import type { RunRecord } from '@threadline/protocol';

/** A run with the owner it belongs to (never sent on the wire). */
export interface StoredRun extends RunRecord {
  owner: string;
  /** Debug: the instructions the model ran with (base + the request's system messages). */
  instructions?: string;
}

/** Where runs live. The in-memory store below is the default; a persistent one can replace it. */
export interface RunStore {
  create(run: StoredRun): void;
  /** The run if it exists and belongs to `owner`. */
  get(id: string, owner: string): StoredRun | undefined;
  update(id: string, patch: Partial<RunRecord> & { instructions?: string }): void;
  clear(): void;
}

/** The wire form of a run record: everything but the owner. */
export function toRunRecord(run: StoredRun): RunRecord {
  const { owner: _owner, ...record } = run;
  return record;
}

/** Keeps the most recent `limit` runs so a long benchmark cannot grow memory without bound. */
export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, StoredRun>();
  // Eviction order as a ring of ids: finding the oldest key of a Map that keeps deleting from its front
  // means walking over the deleted slots, which made every insert slower as the store filled.
  readonly #ring: Array<string | undefined>;
  #next = 0;

  constructor(limit = 10_000) {
    this.#ring = new Array<string | undefined>(limit).fill(undefined);
  }

  create(run: StoredRun): void {
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#runs.delete(evicted);
    this.#ring[this.#next] = run.id;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#runs.set(run.id, run);
  }

  get(id: string, owner: string): StoredRun | undefined {
    const run = this.#runs.get(id);
    return run && run.owner === owner ? run : undefined;
  }

  update(id: string, patch: Partial<RunRecord>): void {
    const run = this.#runs.get(id);
    if (run) Object.assign(run, patch);
  }

  clear(): void {
    this.#runs.clear();
    this.#ring.fill(undefined);
    this.#next = 0;
  }
}
