import type { KeyIds } from '../auth/owners';
import { DEFAULT_STORE_CAPS } from '../state/limits';
import { SqliteApprovalStore } from './approvals';
import { SqliteFileStore } from './files';
import { SqliteIdempotencyStore } from './idempotency';
import { SqliteLedger } from './ledger';
import { type Database, openDatabase } from './open';
import { fileKeyIds } from './rekey';
import { SqliteResponseStore } from './responses';
import { SqliteRunStore } from './runs';

/** Every store of a server, kept in one SQLite file (`db`). */
export interface PersistentStores {
  db: Database;
  ledger: SqliteLedger;
  idempotency: SqliteIdempotencyStore;
  approvals: SqliteApprovalStore;
  runs: SqliteRunStore;
  files: SqliteFileStore;
  /** `previous_response_id` chains and the output items `item_reference` names. */
  responses: SqliteResponseStore;
  /** API-key ids under the file's own secret, stable across restarts. */
  keyIds: KeyIds;
}

/**
 * Opens the file (see `openDatabase` for the checks) and builds the stores on it. `idempotencyCap` bounds
 * the keys table by count, as the in-memory store is.
 */
export function openStores(
  file: string,
  idempotencyCap = DEFAULT_STORE_CAPS.idempotency.maxCount,
): PersistentStores {
  const db = openDatabase(file);
  return {
    db,
    ledger: new SqliteLedger(db),
    idempotency: new SqliteIdempotencyStore(db, idempotencyCap),
    approvals: new SqliteApprovalStore(db),
    runs: new SqliteRunStore(db),
    files: new SqliteFileStore(db),
    responses: new SqliteResponseStore(db),
    keyIds: fileKeyIds(db),
  };
}
