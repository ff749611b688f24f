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
  append(scope: string, entries: readonly NewLedgerEntry[]): void;
  /** Everything stored under the scope, oldest first. */
  list(scope: string): LedgerEntry[];
  /** Every scope holding something (for inspection and tests). */
  scopes(): string[];
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
  /** Every item in the order it was remembered: the oldest is always the first of its scope. */
  readonly #order = new Fifo<{ scope: string; bytes: number }>();
  readonly #meter: StoreMeter;
  #seq = 0;

  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.memory) {
    this.#meter = new StoreMeter(cap);
  }

  append(scope: string, entries: readonly NewLedgerEntry[]): void {
    if (entries.length === 0) return;
    let list = this.#scopes.get(scope);
    if (!list) {
      list = new Fifo();
      this.#scopes.set(scope, list);
    }
    for (const entry of entries) {
      const bytes = entryBytes(entry);
      list.push({ ...entry, seq: ++this.#seq });
      this.#order.push({ scope, bytes });
      this.#meter.add(bytes);
    }
    while (this.#meter.over) {
      const oldest = this.#order.shift()!;
      const owner = this.#scopes.get(oldest.scope)!;
      owner.shift();
      if (owner.length === 0) this.#scopes.delete(oldest.scope);
      this.#meter.remove(oldest.bytes, true);
    }
  }

  list(scope: string): LedgerEntry[] {
    return this.#scopes.get(scope)?.toArray() ?? [];
  }

  scopes(): string[] {
    return [...this.#scopes.keys()];
  }

  clear(): void {
    this.#scopes.clear();
    this.#order.clear();
    this.#meter.reset();
  }

  usage(): StoreUsage {
    return this.#meter.usage();
  }
}
