import type { MessageRole, ToolCall } from '@threadline/protocol/schemas';

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

export class MemoryLedger implements Ledger {
  readonly #scopes = new Map<string, LedgerEntry[]>();
  #seq = 0;

  append(scope: string, entries: readonly NewLedgerEntry[]): void {
    if (entries.length === 0) return;
    const list = this.#scopes.get(scope) ?? [];
    this.#scopes.set(scope, list);
    for (const entry of entries) list.push({ ...entry, seq: ++this.#seq });
  }

  list(scope: string): LedgerEntry[] {
    return [...(this.#scopes.get(scope) ?? [])];
  }

  scopes(): string[] {
    return [...this.#scopes.keys()];
  }

  clear(): void {
    this.#scopes.clear();
  }
}
