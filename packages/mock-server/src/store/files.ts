import type { FileStore, StoredFile } from '../state/files';
import type { Database } from './open';
import type { Row } from './sql';

/**
 * Stored files in the `db` file, bytes as a BLOB. Deduplicated like the in-memory store: the same
 * owner sending the same bytes under the same name and type gets the existing file back.
 */
export class SqliteFileStore implements FileStore {
  readonly #insert;
  readonly #byContent;
  readonly #get;
  readonly #getAny;
  readonly #clear;

  constructor(db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO files (id, owner, sha256, filename, mime_type, object, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#byContent = db.prepare(
      'SELECT * FROM files WHERE owner = ? AND sha256 = ? AND filename = ? AND mime_type = ?',
    );
    this.#get = db.prepare('SELECT * FROM files WHERE id = ? AND owner = ?');
    this.#getAny = db.prepare('SELECT * FROM files WHERE id = ?');
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

  get(id: string, owner: string | null): StoredFile | undefined {
    const row = (owner === null ? this.#getAny.get(id) : this.#get.get(id, owner)) as Row | undefined;
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
