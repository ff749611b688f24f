import type { MessageRole, ToolCall } from '@threadline/protocol/schemas';
import {
  Fifo,
  type MeteredStore,
  type StoreCap,
  StoreMeter,
  type StoreUsage,
  textBytes,
} from '../state/bounded';
import { DEFAULT_STORE_CAPS } from '../state/limits';
import { POSTING_BYTES, RecallIndex } from './recall-index';

/** One remembered item: a conversation message or a chunk of an ingested document. */
export interface LedgerEntry {
  /** Increasing across the whole ledger: the order things were remembered in. */
  seq: number;
  kind: 'message' | 'document';
  /** Messages: who said it; null for documents. */
  role: MessageRole | null;
  text: string;
  /** Assistant messages: the tool calls made (server tools and approval pauses included). */
  toolCalls: ToolCall[];
  /** Tool messages: the call answered. */
  toolCallId: string | null;
  /** Tool messages: the tool's name; documents: the source file name. */
  name: string | null;
  /** The run that produced it (messages), or null. */
  runId: string | null;
  /** Unix seconds. */
  createdAt: number;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'seq'>;

/**
 * Memory keyed by scope: `<owner>\u0000session:<id>` or `<owner>\u0000thread:<id>`. The owner already
 * names the principal (tenant, agent or key) and the user, so one user never reads another's scope.
 */
export interface Ledger {
  /** Stores the entries in order; returns the `seq` each was given. */
  append(scope: string, entries: readonly NewLedgerEntry[]): number[];
  /** Forgets the scope's entries with these `seq`s (an idempotent resend replacing its earlier attempt). */
  remove(scope: string, seqs: readonly number[]): void;
  /** Everything stored under the scope, oldest first. */
  list(scope: string): LedgerEntry[];
  /** Every scope holding something (for inspection and tests). */
  scopes(): string[];
  /**
   * Optional: up to `limit` remembered sentences for `query` (retrieve.ts's ranking), leaving out the
   * items whose seq is in `skip`, without listing the scope. Without it, the scope is listed and read.
   */
  recall?(scope: string, query: string, limit: number, skip?: ReadonlySet<number>): string[];
  /** Optional: the newest `count` entries of the scope `keep` accepts, oldest first, without listing it. */
  recent?(scope: string, count: number, keep: (entry: LedgerEntry) => boolean): LedgerEntry[];
  clear(): void;
}

/** The estimated size of a remembered item: its text, tool calls and names. */
function entryBytes(entry: NewLedgerEntry): number {
  let bytes = 128 + entry.text.length + textBytes(entry.name) + textBytes(entry.toolCallId);
  for (const call of entry.toolCalls)
    bytes += 64 + call.id.length + call.function.name.length + call.function.arguments.length;
  return bytes;
}

/**
 * Memory in memory, bounded by count and bytes across all scopes: past either cap the oldest items
 * (whatever their scope) are forgotten first, and a scope left empty goes too.
 */
export class MemoryLedger implements Ledger, MeteredStore {
  readonly #scopes = new Map<string, Fifo<LedgerEntry>>();
  /** Each scope's sentences by content word, kept in step with `#scopes`. */
  readonly #indexes = new Map<string, RecallIndex>();
  /** Every item in the order it was remembered: the oldest is always the first of its scope. */
  readonly #order = new Fifo<{ scope: string; seq: number; bytes: number }>();
  /** Items removed out of order whose `#order` entry is still waiting to be passed over. */
  readonly #removed = new Set<number>();
  readonly #meter: StoreMeter;
  #seq = 0;

  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.memory) {
    this.#meter = new StoreMeter(cap);
  }

  append(scope: string, entries: readonly NewLedgerEntry[]): number[] {
    if (entries.length === 0) return [];
    let list = this.#scopes.get(scope);
    let index = this.#indexes.get(scope);
    if (!list || !index) {
      list = new Fifo();
      index = new RecallIndex();
      this.#scopes.set(scope, list);
      this.#indexes.set(scope, index);
    }
    const seqs: number[] = [];
    for (const entry of entries) {
      const seq = ++this.#seq;
      seqs.push(seq);
      const kept = { ...entry, seq };
      list.push(kept);
      // The search index counts too: a text of many distinct words costs it far more than its bytes.
      const bytes = entryBytes(entry) + POSTING_BYTES * index.add(kept);
      this.#order.push({ scope, seq, bytes });
      this.#meter.add(bytes);
    }
    while (this.#meter.over) {
      const oldest = this.#order.shift()!;
      // Already removed: its bytes left the meter then.
      if (this.#removed.delete(oldest.seq)) continue;
      const owner = this.#scopes.get(oldest.scope)!;
      owner.shift();
      this.#indexes.get(oldest.scope)!.forget(oldest.seq);
      if (owner.length === 0) this.#forgetScope(oldest.scope);
      this.#meter.remove(oldest.bytes, true);
    }
    return seqs;
  }

  remove(scope: string, seqs: readonly number[]): void {
    const list = this.#scopes.get(scope);
    if (!list || seqs.length === 0) return;
    const gone = new Set(seqs);
    const index = this.#indexes.get(scope)!;
    list.filter((entry) => {
      if (!gone.has(entry.seq)) return true;
      this.#meter.remove(entryBytes(entry) + POSTING_BYTES * index.forget(entry.seq), false);
      this.#removed.add(entry.seq);
      return false;
    });
    if (list.length === 0) this.#forgetScope(scope);
    // Passed-over entries outnumbering the live ones: drop them from the order now (rare, O(n)).
    if (this.#removed.size > this.#meter.count + 1024) {
      this.#order.filter((item) => !this.#removed.has(item.seq));
      this.#removed.clear();
    }
  }

  list(scope: string): LedgerEntry[] {
    return this.#scopes.get(scope)?.toArray() ?? [];
  }

  scopes(): string[] {
    return [...this.#scopes.keys()];
  }

  recent(scope: string, count: number, keep: (entry: LedgerEntry) => boolean): LedgerEntry[] {
    return this.#scopes.get(scope)?.newest(count, keep) ?? [];
  }

  recall(scope: string, query: string, limit: number, skip?: ReadonlySet<number>): string[] {
    return this.#indexes.get(scope)?.recall(query, limit, skip) ?? [];
  }

  clear(): void {
    this.#scopes.clear();
    this.#indexes.clear();
    this.#order.clear();
    this.#removed.clear();
    this.#meter.reset();
  }

  usage(): StoreUsage {
    return this.#meter.usage();
  }

  #forgetScope(scope: string): void {
    this.#scopes.delete(scope);
    this.#indexes.delete(scope);
  }
}
