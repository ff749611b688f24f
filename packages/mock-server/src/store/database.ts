import type { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../config';
import { MIGRATIONS } from './migrations';

export type Database = DatabaseSync;

/**
 * Opens (creating if needed) the SQLite file behind `--db` and brings its schema up to date. node:sqlite
 * is loaded on demand so the msw, browser and edge entry points never import it.
 */
export function openDatabase(file: string): Database {
  const sqlite = loadSqlite();
  let db: Database;
  try {
    db = new sqlite.DatabaseSync(file);
  } catch (error) {
    throw new ConfigError(`cannot open the database ${file}: ${(error as Error).message}`);
  }
  try {
    // WAL lets readers (another process inspecting the file) work while the server writes.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 2000;');
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error instanceof ConfigError
      ? error
      : new ConfigError(`cannot use the database ${file}: ${(error as Error).message}`);
  }
  return db;
}

function loadSqlite(): typeof import('node:sqlite') {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const sqlite = getBuiltin?.('node:sqlite') as typeof import('node:sqlite') | undefined;
  if (!sqlite) {
    throw new ConfigError('db needs node:sqlite (Node.js 22.13 or later); this runtime has none.');
  }
  return sqlite;
}

/** The schema version a database file is at (`PRAGMA user_version`, 0 for a new file). */
export function schemaVersion(db: Database): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return row.user_version;
}

/** Applies every migration above the file's version, each in its own transaction. */
function migrate(db: Database, file: string): void {
  const current = schemaVersion(db);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new ConfigError(
      `the database ${file} is at schema version ${current}, newer than this server knows (${latest}); ` +
        'use a newer @threadline/mock-server or another file.',
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new ConfigError(
        `migration ${migration.version} (${migration.name}) failed on ${file}: ${(error as Error).message}`,
      );
    }
  }
}
