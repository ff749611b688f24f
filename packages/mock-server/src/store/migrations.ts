/**
 * The schema of a `--db` file, as ordered, append-only migrations. A released migration never changes:
 * a new one is added with the next version, so every older file upgrades step by step.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger, approvals, runs and files',
    sql: `
      CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT NOT NULL,
        kind TEXT NOT NULL,
        role TEXT,
        text TEXT NOT NULL,
        tool_calls TEXT NOT NULL,
        tool_call_id TEXT,
        name TEXT,
        run_id TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX ledger_scope ON ledger (scope, seq);
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        run_id TEXT NOT NULL,
        tool TEXT NOT NULL,
        arguments TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        decided_at INTEGER
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE TABLE files (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        filename TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        object TEXT NOT NULL,
        data BLOB NOT NULL,
        UNIQUE (owner, sha256, filename, mime_type)
      );
    `,
  },
];
