import type { RunRecord } from '@threadline/protocol';
import type { RunStore, StoredRun } from '../state/runs';
import type { Database } from './open';
import type { Row } from './sql';

/**
 * Run records in the `db` file. The record (tool calls, usage, file ids…) is one JSON column; owner,
 * status and creation time are columns of their own so the file can be inspected with plain SQL.
 */
export class SqliteRunStore implements RunStore {
  readonly #create;
  readonly #get;
  readonly #getAny;
  readonly #save;
  readonly #clear;

  constructor(db: Database) {
    this.#create = db.prepare(
      'INSERT OR REPLACE INTO runs (id, owner, status, created_at, record) VALUES (?, ?, ?, ?, ?)',
    );
    this.#get = db.prepare('SELECT owner, record FROM runs WHERE id = ? AND owner = ?');
    this.#getAny = db.prepare('SELECT owner, record FROM runs WHERE id = ?');
    this.#save = db.prepare('UPDATE runs SET status = ?, record = ? WHERE id = ?');
    this.#clear = db.prepare('DELETE FROM runs');
  }

  create(run: StoredRun): void {
    const { owner, ...record } = run;
    this.#create.run(run.id, owner, run.status, run.created_at, JSON.stringify(record));
  }

  get(id: string, owner: string): StoredRun | undefined {
    const row = this.#get.get(id, owner) as Row | undefined;
    return row ? { ...JSON.parse(row.record as string), owner: row.owner as string } : undefined;
  }

  update(id: string, patch: Partial<RunRecord> & { instructions?: string }): StoredRun | undefined {
    const row = this.#getAny.get(id) as Row | undefined;
    if (!row) return undefined;
    const record = { ...JSON.parse(row.record as string), ...patch };
    this.#save.run(record.status, JSON.stringify(record), id);
    return { ...record, owner: row.owner as string };
  }

  clear(): void {
    this.#clear.run();
  }
}
