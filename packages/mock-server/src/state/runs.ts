import type { RunRecord } from '@threadline/protocol';
import { type MeteredStore, type StoreCap, type StoreUsage, textBytes } from './bounded';
import { DEFAULT_STORE_CAPS } from './limits';
import { KeyedRing } from './ring';
import { RunColumns } from './run-columns';

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
  /** Applies `patch` to the run; the run as it now is, or undefined when no run has that id. */
  update(id: string, patch: Partial<RunRecord> & { instructions?: string }): StoredRun | undefined;
  clear(): void;
}

/** The wire form of a run record: everything but the owner. */
export function toRunRecord(run: StoredRun): RunRecord {
  const { owner: _owner, ...record } = run;
  return record;
}

/** The estimated size of a run: its instructions and tool calls dominate. */
function runBytes(run: StoredRun): number {
  let bytes = 256 + textBytes(run.instructions) + textBytes(run.owner);
  for (const call of run.tool_calls) {
    bytes +=
      64 + textBytes(call.id) + textBytes(call.name) + textBytes(call.arguments) + textBytes(call.result);
  }
  for (const id of run.file_ids) bytes += 16 + id.length;
  return bytes;
}

/** Distinct model names kept as one string each (a request's model is a new string every time). */
const MAX_MODEL_NAMES = 256;
/** Longer names (a stranger's, of a failed run) are not kept for sharing: the table stays small. */
const MAX_SHARED_MODEL_LENGTH = 256;

/**
 * The most recent runs, bounded by count and bytes (each run keeps its whole instructions) so a long
 * benchmark cannot grow memory without bound; the oldest are evicted first. A run still going is kept
 * as its object; one that ended is packed into columns (run-columns.ts) and read back as a new object,
 * so the thousands of runs kept cost the garbage collector next to nothing. A run created again under
 * its id keeps its place.
 */
export class MemoryRunStore implements RunStore, MeteredStore {
  readonly #ring: KeyedRing<RunColumns>;
  readonly #models = new Map<string, string>();

  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.runs) {
    this.#ring = new KeyedRing(cap, (capacity) => new RunColumns(capacity));
  }

  create(run: StoredRun): void {
    const at = this.#ring.place(run.id, runBytes(run));
    this.#keep(at, run);
  }

  get(id: string, owner: string): StoredRun | undefined {
    const at = this.#ring.find(id);
    if (at === undefined) return undefined;
    const columns = this.#ring.columns;
    return columns.ownerAt(at) === owner ? columns.runAt(at, id) : undefined;
  }

  update(id: string, patch: Partial<RunRecord> & { instructions?: string }): StoredRun | undefined {
    const at = this.#ring.find(id);
    if (at === undefined) return undefined;
    const run = Object.assign(this.#ring.columns.runAt(at, id), patch);
    this.#ring.resize(at, runBytes(run));
    this.#keep(at, run);
    return run;
  }

  clear(): void {
    this.#ring.clear();
  }

  usage(): StoreUsage {
    return this.#ring.usage();
  }

  #keep(at: number, run: StoredRun): void {
    if (typeof run.model === 'string') run.model = this.#modelName(run.model);
    this.#ring.columns.keep(at, run);
    this.#ring.trim();
  }

  /** The one string kept for a model name (up to MAX_MODEL_NAMES short names; others as they come). */
  #modelName(model: string): string {
    const kept = this.#models.get(model);
    if (kept !== undefined) return kept;
    if (this.#models.size < MAX_MODEL_NAMES && model.length <= MAX_SHARED_MODEL_LENGTH) {
      this.#models.set(model, model);
    }
    return model;
  }
}
