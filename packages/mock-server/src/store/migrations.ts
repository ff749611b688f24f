import type { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../config';
import { OWNER_SECRET, rekeyOwners } from './rekey';

/**
 * The schema of a `db` file, as ordered, append-only migrations. A released migration never changes: a
 * new one is added with the next version, so every older file upgrades step by step. The file's version
 * is `PRAGMA user_version`; `PRAGMA application_id` marks it as ours.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Work SQL alone cannot do, run after `sql` in the same transaction. */
  apply?: (db: DatabaseSync) => void;
}

/** 'Thrd' in ASCII: set by the first migration so a foreign SQLite file is never mistaken for ours. */
export const APPLICATION_ID = 0x54687264;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger, approvals, runs and files',
    sql: `
      PRAGMA application_id = ${APPLICATION_ID};
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
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
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
  {
    version: 2,
    name: 'owner keys hold no API key; owner parts are encoded',
    // The secret of the keyed hash that turns an API key into the id its owner keys carry.
    sql: `
      CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta (name, value) VALUES ('${OWNER_SECRET}', lower(hex(randomblob(32))));
    `,
    apply: rekeyOwners,
  },
  {
    version: 3,
    name: 'stored responses: previous_response_id chains and output items',
    sql: `
      CREATE TABLE response_chains (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        parent TEXT,
        messages TEXT NOT NULL
      );
      CREATE TABLE response_items (
        owner TEXT NOT NULL,
        id TEXT NOT NULL,
        messages TEXT NOT NULL,
        PRIMARY KEY (owner, id)
      );
    `,
  },
  {
    version: 4,
    name: 'Idempotency-Keys of stateful turns',
    // `key` is `<scope key>\u0000<idempotency key>`; the scope key holds the owner.
    sql: `
      CREATE TABLE idempotency_keys (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        seqs TEXT NOT NULL,
        answered INTEGER NOT NULL
      );
    `,
  },
];

/** The newest schema version a list of migrations reaches. */
export const latestVersion = (migrations: readonly Migration[] = MIGRATIONS): number =>
  migrations.at(-1)?.version ?? 0;

/**
 * Applies every migration above the file's version, in order, each in its own transaction: a failing
 * one leaves the file at the version before it. A file at a version newer than the list knows is
 * refused, never read with a schema it was not written for. Returns how many migrations ran.
 */
export function migrate(
  db: DatabaseSync,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): number {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new ConfigError(
      `the database ${file} is at schema version ${current}, newer than this server knows (${latest}); ` +
        'use a newer @threadline/mock-server or another file.',
    );
  }
  let applied = 0;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    applied++;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      migration.apply?.(db);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new ConfigError(
        `migration ${migration.version} (${migration.name}) failed on ${file}: ${(error as Error).message}`,
      );
    }
  }
  return applied;
}
