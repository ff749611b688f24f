import type { IdempotencyStore, KeyedTurn } from '../memory/idempotency';
import type { Database } from './open';
import type { Row } from './sql';

/**
 * The Idempotency-Keys of stateful turns in the `db` file, so a resend after a restart is still the
 * same turn. Bounded by count like the in-memory store: past the cap the oldest keys are forgotten.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  readonly #get;
  readonly #delete;
  readonly #insert;
  readonly #trim;
  readonly #clear;
  readonly #maxCount: number;

  constructor(db: Database, maxCount: number) {
    this.#maxCount = maxCount;
    this.#get = db.prepare('SELECT * FROM idempotency_keys WHERE key = ?');
    this.#delete = db.prepare('DELETE FROM idempotency_keys WHERE key = ?');
    this.#insert = db.prepare(
      'INSERT INTO idempotency_keys (key, fingerprint, seqs, answered) VALUES (?, ?, ?, ?)',
    );
    // `seq` only grows, and each key has one row: everything maxCount rows behind the newest is oldest.
    this.#trim = db.prepare('DELETE FROM idempotency_keys WHERE seq <= ?');
    this.#clear = db.prepare('DELETE FROM idempotency_keys');
  }

  get(key: string): KeyedTurn | undefined {
    const row = this.#get.get(key) as Row | undefined;
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint as string,
      seqs: JSON.parse(row.seqs as string),
      answered: Number(row.answered) === 1,
    };
  }

  set(key: string, turn: KeyedTurn): void {
    // Replacing makes the key the newest, as BoundedMap does.
    this.#delete.run(key);
    const { lastInsertRowid } = this.#insert.run(
      key,
      turn.fingerprint,
      JSON.stringify(turn.seqs),
      turn.answered ? 1 : 0,
    );
    this.#trim.run(Number(lastInsertRowid) - this.#maxCount);
  }

  clear(): void {
    this.#clear.run();
  }
}
