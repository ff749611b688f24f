import type { FileObject } from '@threadline/protocol';

/** A stored file: its metadata, its bytes and its owner. */
export interface StoredFile extends FileObject {
  owner: string;
  data: Uint8Array;
  /** Hex SHA-256 of the bytes: the same bytes sent again by the same owner reuse the file. */
  sha256: string;
}

export interface FileStore {
  /** Stores a file, or returns the owner's existing file with the same bytes, name and type. */
  put(file: StoredFile): StoredFile;
  /** The file if it exists and belongs to `owner` (null: any owner, for the files-any-user fault). */
  get(id: string, owner: string | null): StoredFile | undefined;
  clear(): void;
}

export function toFileObject(file: StoredFile): FileObject {
  const { owner: _owner, data: _data, sha256: _sha, ...object } = file;
  return object;
}

export class MemoryFileStore implements FileStore {
  readonly #byId = new Map<string, StoredFile>();
  readonly #byContent = new Map<string, StoredFile>();

  put(file: StoredFile): StoredFile {
    const key = `${file.owner}\u0000${file.sha256}\u0000${file.filename}\u0000${file.mime_type ?? ''}`;
    const existing = this.#byContent.get(key);
    if (existing) return existing;
    this.#byId.set(file.id, file);
    this.#byContent.set(key, file);
    return file;
  }

  get(id: string, owner: string | null): StoredFile | undefined {
    const file = this.#byId.get(id);
    return file && (owner === null || file.owner === owner) ? file : undefined;
  }

  clear(): void {
    this.#byId.clear();
    this.#byContent.clear();
  }
}
