import type { ApprovalStore, PendingApproval } from '../tools/approval-store';
import type { Database } from './open';
import type { Row } from './sql';

/** Approval pauses and their decisions in the `db` file: a pause outlives a restart, a decision too. */
export class SqliteApprovalStore implements ApprovalStore {
  readonly #put;
  readonly #get;
  readonly #getAny;
  readonly #decide;
  readonly #clear;

  constructor(db: Database) {
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO approvals (id, owner, run_id, tool, arguments, status, created_at, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The owner is part of the lookup: another owner's id reads as unknown, exactly like a made-up one.
    this.#get = db.prepare('SELECT * FROM approvals WHERE id = ? AND owner = ?');
    this.#getAny = db.prepare('SELECT * FROM approvals WHERE id = ?');
    this.#decide = db.prepare('UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?');
    this.#clear = db.prepare('DELETE FROM approvals');
  }

  put(a: PendingApproval): void {
    this.#put.run(a.id, a.owner, a.runId, a.tool, a.arguments, a.status, a.createdAt, a.decidedAt);
  }

  get(id: string, owner: string | null): PendingApproval | undefined {
    const row = (owner === null ? this.#getAny.get(id) : this.#get.get(id, owner)) as Row | undefined;
    if (!row) return undefined;
    return {
      id: row.id as string,
      owner: row.owner as string,
      runId: row.run_id as string,
      tool: row.tool as string,
      arguments: row.arguments as string,
      status: row.status as PendingApproval['status'],
      createdAt: Number(row.created_at),
      decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    };
  }

  decide(id: string, status: Exclude<PendingApproval['status'], 'pending'>, at: number): void {
    this.#decide.run(status, at, id);
  }

  clear(): void {
    this.#clear.run();
  }
}
