import type { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../config';
import { APPLICATION_ID, MIGRATIONS, type Migration, migrate } from './migrations';

export type Database = DatabaseSync;

/** How long opening waits for a server that is just letting go of the file (a restart) before refusing. */
const LOCK_WAIT_MS = 1_000;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/**
 * Opens (creating if needed) the SQLite file behind `db`, takes it for this server alone and brings its
 * schema up to date. node:sqlite is loaded on demand so the msw, browser and edge entry points never
 * import it. Every failure is a `ConfigError` naming the file.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Database {
  const sqlite = loadSqlite();
  let db: Database;
  try {
    db = new sqlite.DatabaseSync(file);
  } catch (error) {
    throw new ConfigError(`cannot open the database ${file}: ${(error as Error).message}`);
  }
  try {
    // One server per file: the exclusive lock, taken by the first write and held until close(), keeps a
    // second server (which would share approvals and could run a tool twice) out with SQLITE_BUSY. WAL
    // appends each commit instead of rewriting pages; NORMAL sync is durable across a process crash.
    // secure_delete zeroes what is deleted or rewritten (a reset, an upgraded owner), so it does not
    // linger in free pages of the file.
    db.exec(
      `PRAGMA busy_timeout = ${LOCK_WAIT_MS}; PRAGMA locking_mode = EXCLUSIVE; ` +
        'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;',
    );
    db.exec('BEGIN IMMEDIATE; COMMIT;');
    checkOwnership(db, file);
    // After an upgrade the old pages go from the log into the file at once, overwritten.
    if (migrate(db, file, migrations) > 0) db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch (error) {
    db.close();
    throw asConfigError(error, file);
  }
  return db;
}

function loadSqlite(): typeof import('node:sqlite') {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  let sqlite: typeof import('node:sqlite') | undefined;
  try {
    sqlite = runtime?.getBuiltinModule?.('node:sqlite') as typeof import('node:sqlite') | undefined;
  } catch {
    sqlite = undefined;
  }
  if (!sqlite?.DatabaseSync) {
    throw new ConfigError(
      'db needs node:sqlite (Node.js 22.13 or later, no flag); this runtime has none. ' +
        'Leave db unset to keep state in memory.',
    );
  }
  return sqlite;
}

/** `PRAGMA application_id`, `PRAGMA user_version` and whether the file holds any table at all. */
export function fileMarks(db: Database): { applicationId: number; version: number; empty: boolean } {
  const { application_id } = db.prepare('PRAGMA application_id').get() as { application_id: number };
  const { user_version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const { n } = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
  return { applicationId: application_id, version: user_version, empty: n === 0 };
}

/** Refuses a SQLite file some other program made: migrating it would write our tables into its data. */
function checkOwnership(db: Database, file: string): void {
  const { applicationId, version, empty } = fileMarks(db);
  if (applicationId === APPLICATION_ID || (applicationId === 0 && version === 0 && empty)) return;
  throw new ConfigError(
    `the database ${file} was not made by @threadline/mock-server (it already holds other data); ` +
      'give db a new or a Threadline file.',
  );
}

function asConfigError(error: unknown, file: string): ConfigError {
  if (error instanceof ConfigError) return error;
  const code = (error as { errcode?: number }).errcode;
  if (code === SQLITE_BUSY || code === SQLITE_LOCKED) {
    return new ConfigError(
      `the database ${file} is in use by another server; a file has one server at a time ` +
        '(stop the other one, or give this one another file).',
    );
  }
  return new ConfigError(`cannot use the database ${file}: ${(error as Error).message}`);
}
