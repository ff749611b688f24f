import type { Ledger, LedgerEntry, NewLedgerEntry } from '../memory/ledger';
import type { Database } from './open';
import { inTransaction, type Row } from './sql';

/**
 * Session and thread memory in the `db` file. `seq` is an AUTOINCREMENT key, so it keeps increasing
 * across restarts and after a reset, as the in-memory ledger's counter does within one process.
 */
export class SqliteLedger implements Ledger {
  readonly #db: Database;
  readonly #insert;
  readonly #list;
  readonly #scopes;
  readonly #clear;
  readonly #remove;

  constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO ledger (scope, kind, role, text, tool_calls, tool_call_id, name, run_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#list = db.prepare('SELECT * FROM ledger WHERE scope = ? ORDER BY seq');
    this.#scopes = db.prepare('SELECT scope FROM ledger GROUP BY scope ORDER BY min(seq)');
    this.#clear = db.prepare('DELETE FROM ledger');
    this.#remove = db.prepare('DELETE FROM ledger WHERE scope = ? AND seq = ?');
  }

  append(scope: string, entries: readonly NewLedgerEntry[]): number[] {
    if (entries.length === 0) return [];
    const seqs: number[] = [];
    // One transaction: a turn (or a whole ingested document) is remembered entirely or not at all.
    inTransaction(this.#db, () => {
      for (const e of entries) {
        const { lastInsertRowid } = this.#insert.run(
          scope,
          e.kind,
          e.role,
          e.text,
          JSON.stringify(e.toolCalls),
          e.toolCallId,
          e.name,
          e.runId,
          e.createdAt,
        );
        seqs.push(Number(lastInsertRowid));
      }
    });
    return seqs;
  }

  remove(scope: string, seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    inTransaction(this.#db, () => {
      for (const seq of seqs) this.#remove.run(scope, seq);
    });
  }

  list(scope: string): LedgerEntry[] {
    return (this.#list.all(scope) as Row[]).map((row) => ({
      seq: Number(row.seq),
      kind: row.kind as LedgerEntry['kind'],
      role: row.role as LedgerEntry['role'],
      text: row.text as string,
      toolCalls: JSON.parse(row.tool_calls as string),
      toolCallId: row.tool_call_id as string | null,
      name: row.name as string | null,
      runId: row.run_id as string | null,
      createdAt: Number(row.created_at),
    }));
  }

  /** In the order scopes were first written to, as the in-memory ledger lists them. */
  scopes(): string[] {
    return (this.#scopes.all() as Row[]).map((row) => row.scope as string);
  }

  clear(): void {
    this.#clear.run();
  }
}
