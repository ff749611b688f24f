import type { RunRecord } from '@threadline/protocol';
import type { Ledger, LedgerEntry, NewLedgerEntry } from '../memory/ledger';
import type { FileStore, StoredFile } from '../state/files';
import type { RunStore, StoredRun } from '../state/runs';
import type { ApprovalStore, PendingApproval } from '../tools/approval-store';
import type { Database } from './database';

// The same contracts as the in-memory stores (owner checks included), kept in the `--db` file.

type Row = Record<string, unknown>;

export class SqliteLedger implements Ledger {
  readonly #insert;
  readonly #list;
  readonly #scopes;
  readonly #clear;

  constructor(private readonly db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO ledger (scope, kind, role, text, tool_calls, tool_call_id, name, run_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#list = db.prepare('SELECT * FROM ledger WHERE scope = ? ORDER BY seq');
    this.#scopes = db.prepare('SELECT DISTINCT scope FROM ledger ORDER BY scope');
    this.#clear = db.prepare('DELETE FROM ledger');
  }

  append(scope: string, entries: readonly NewLedgerEntry[]): void {
    if (entries.length === 0) return;
    inTransaction(this.db, () => {
      for (const e of entries) {
        this.#insert.run(
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
      }
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

  scopes(): string[] {
    return (this.#scopes.all() as Row[]).map((row) => row.scope as string);
  }

  clear(): void {
    // The sequence keeps counting after a clear, as it does in memory: order stays global.
    this.#clear.run();
  }
}

export class SqliteApprovalStore implements ApprovalStore {
  readonly #put;
  readonly #get;
  readonly #decide;
  readonly #clear;

  constructor(db: Database) {
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO approvals (id, owner, run_id, tool, arguments, status, created_at, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare('SELECT * FROM approvals WHERE id = ? AND owner = ?');
    this.#decide = db.prepare('UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?');
    this.#clear = db.prepare('DELETE FROM approvals');
  }

  put(a: PendingApproval): void {
    this.#put.run(a.id, a.owner, a.runId, a.tool, a.arguments, a.status, a.createdAt, a.decidedAt);
  }

  get(id: string, owner: string): PendingApproval | undefined {
    const row = this.#get.get(id, owner) as Row | undefined;
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

export class SqliteRunStore implements RunStore {
  readonly #create;
  readonly #get;
  readonly #getAny;
  readonly #save;
  readonly #clear;

  constructor(db: Database) {
    this.#create = db.prepare('INSERT OR REPLACE INTO runs (id, owner, record) VALUES (?, ?, ?)');
    this.#get = db.prepare('SELECT owner, record FROM runs WHERE id = ? AND owner = ?');
    this.#getAny = db.prepare('SELECT owner, record FROM runs WHERE id = ?');
    this.#save = db.prepare('UPDATE runs SET record = ? WHERE id = ?');
    this.#clear = db.prepare('DELETE FROM runs');
  }

  create(run: StoredRun): void {
    const { owner, ...record } = run;
    this.#create.run(run.id, owner, JSON.stringify(record));
  }

  get(id: string, owner: string): StoredRun | undefined {
    const row = this.#get.get(id, owner) as Row | undefined;
    return row ? { ...JSON.parse(row.record as string), owner: row.owner as string } : undefined;
  }

  update(id: string, patch: Partial<RunRecord> & { instructions?: string }): void {
    const row = this.#getAny.get(id) as Row | undefined;
    if (!row) return;
    this.#save.run(JSON.stringify({ ...JSON.parse(row.record as string), ...patch }), id);
  }

  clear(): void {
    this.#clear.run();
  }
}

export class SqliteFileStore implements FileStore {
  readonly #insert;
  readonly #byContent;
  readonly #get;
  readonly #clear;

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO files (id, owner, sha256, filename, mime_type, object, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#byContent = db.prepare(
      'SELECT * FROM files WHERE owner = ? AND sha256 = ? AND filename = ? AND mime_type = ?',
    );
    this.#get = db.prepare('SELECT * FROM files WHERE id = ? AND owner = ?');
    this.#clear = db.prepare('DELETE FROM files');
  }

  put(file: StoredFile): StoredFile {
    const mime = file.mime_type ?? '';
    const existing = this.#byContent.get(file.owner, file.sha256, file.filename, mime) as Row | undefined;
    if (existing) return toStoredFile(existing);
    const { owner, data, sha256, ...object } = file;
    this.#insert.run(file.id, owner, sha256, file.filename, mime, JSON.stringify(object), data);
    return file;
  }

  get(id: string, owner: string): StoredFile | undefined {
    const row = this.#get.get(id, owner) as Row | undefined;
    return row ? toStoredFile(row) : undefined;
  }

  clear(): void {
    this.#clear.run();
  }
}

function toStoredFile(row: Row): StoredFile {
  return {
    ...JSON.parse(row.object as string),
    owner: row.owner as string,
    sha256: row.sha256 as string,
    data: new Uint8Array(row.data as Uint8Array),
  };
}

function inTransaction(db: Database, work: () => void): void {
  db.exec('BEGIN');
  try {
    work();
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
