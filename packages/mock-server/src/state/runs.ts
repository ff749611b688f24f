import type { RunRecord } from '@threadline/protocol';
import { BoundedMap, type MeteredStore, type StoreCap, type StoreUsage, textBytes } from './bounded';
import { DEFAULT_STORE_CAPS } from './limits';

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

/**
 * The most recent runs, bounded by count and bytes (each run keeps its whole instructions) so a long
 * benchmark cannot grow memory without bound; the oldest are evicted first.
 */
export class MemoryRunStore implements RunStore, MeteredStore {
  readonly #runs: BoundedMap<StoredRun>;

  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.runs) {
    this.#runs = new BoundedMap(cap);
  }

  create(run: StoredRun): void {
    this.#runs.set(run.id, run, runBytes(run));
  }

  get(id: string, owner: string): StoredRun | undefined {
    const run = this.#runs.get(id);
    return run && run.owner === owner ? run : undefined;
  }

  update(id: string, patch: Partial<RunRecord> & { instructions?: string }): void {
    this.#runs.update(id, (run) => Object.assign(run, patch), runBytes);
  }

  clear(): void {
    this.#runs.clear();
  }

  usage(): StoreUsage {
    return this.#runs.usage();
  }
}
