import { type Database, openDatabase } from './database';
import { SqliteApprovalStore, SqliteFileStore, SqliteLedger, SqliteRunStore } from './sqlite-stores';

/** Every store of a server, kept in one SQLite file. */
export interface PersistentStores {
  db: Database;
  ledger: SqliteLedger;
  approvals: SqliteApprovalStore;
  runs: SqliteRunStore;
  files: SqliteFileStore;
}

export function openStores(file: string): PersistentStores {
  const db = openDatabase(file);
  return {
    db,
    ledger: new SqliteLedger(db),
    approvals: new SqliteApprovalStore(db),
    runs: new SqliteRunStore(db),
    files: new SqliteFileStore(db),
  };
}
