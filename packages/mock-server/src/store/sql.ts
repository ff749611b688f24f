import type { Database } from './open';

/** A row as node:sqlite returns it: column name to value. */
export type Row = Record<string, unknown>;

/** Runs `work` in one transaction: all of it is stored, or none of it. */
export function inTransaction(db: Database, work: () => void): void {
  db.exec('BEGIN');
  try {
    work();
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
