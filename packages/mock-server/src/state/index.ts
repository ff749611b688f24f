import type { Dialect } from '@threadline/protocol';
import type { ResolvedConfig } from '../config';
import type { Decision, Reply, Turn } from '../engine/types';
import { FaultQueue } from '../faults/queue';
import { FixtureStore } from '../model/fixtures';
import { type FileStore, MemoryFileStore } from './files';
import { Journal } from './journal';
import { resolveStoreLimits, type StoreLimits } from './limits';
import { MemoryRunStore, type RunStore, type StoredRun } from './runs';

/**
 * Extension points of the turn engine, run in array order. Memory, server tools and approvals plug in
 * here without the chat route knowing about them.
 */
export interface TurnHooks {
  /** After the turn's context is built, before the model decides (memory retrieval, thread history). */
  prepare: Array<(turn: Turn) => void | Promise<void>>;
  /** Decides the reply ahead of fixtures and the default model; the first non-null answer wins. */
  decide: Array<(turn: Turn) => Decision | null | undefined | Promise<Decision | null | undefined>>;
  /** Rewrites a decision (runs server tools, turns a destructive call into an approval pause). */
  transform: Array<(turn: Turn, decision: Decision) => Decision | Promise<Decision>>;
  /**
   * After the run of a started turn ended, whatever the outcome (store the turn in the ledger); `reply`
   * is null when deciding failed. Turns refused before they began (unknown model, bad attachment) have
   * no `Turn` and are not reported.
   */
  finish: Array<(turn: Turn, reply: Reply | null, run: StoredRun) => void>;
}

/** Everything a server instance holds. Created from the config; `reset()` empties it. */
export interface ServerState {
  readonly config: ResolvedConfig;
  readonly dialect: Dialect;
  /** Replaceable: a persistent store can take the in-memory one's place. */
  runs: RunStore;
  files: FileStore;
  readonly fixtures: FixtureStore;
  readonly faults: FaultQueue;
  readonly journal: Journal;
  readonly hooks: TurnHooks;
  /** The caps of the in-memory stores: the defaults with the config's `storeLimits` laid over them. */
  readonly storeLimits: StoreLimits;
  /**
   * The stores `GET /health` reports on, by name, each read when asked (runs and files can be replaced
   * by the `db` file's, which report `{ persistent: true }`). Plugins add their own.
   */
  readonly stores: Map<string, () => unknown>;
  /** Run by `reset()` after the built-in stores are emptied: plugins empty their own. */
  readonly resetHandlers: Array<() => void>;
  reset(): void;
}

export function createState(config: ResolvedConfig): ServerState {
  const storeLimits = resolveStoreLimits(config.input.storeLimits);
  const state: ServerState = {
    config,
    dialect: config.dialect,
    runs: new MemoryRunStore(storeLimits.runs),
    files: new MemoryFileStore(storeLimits.files),
    fixtures: new FixtureStore(config.fixtures),
    faults: new FaultQueue(),
    journal: new Journal(storeLimits.journal),
    hooks: { prepare: [], decide: [], transform: [], finish: [] },
    storeLimits,
    stores: new Map<string, () => unknown>([
      ['runs', () => state.runs],
      ['journal', () => state.journal],
      ['files', () => state.files],
    ]),
    resetHandlers: [],
    reset() {
      state.runs.clear();
      state.files.clear();
      state.fixtures.reset();
      state.faults.clear();
      state.journal.clear();
      for (const handler of state.resetHandlers) handler();
    },
  };
  return state;
}

export type { FileStore, StoredFile } from './files';
export type { JournalEntry } from './journal';
export type { RunStore, StoredRun } from './runs';
