import type { FileObject } from '@threadline/protocol';
import { BoundedMap, type MeteredStore, type StoreCap, type StoreUsage } from './bounded';
import { DEFAULT_STORE_CAPS } from './limits';

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

const contentKey = (file: StoredFile) =>
  `${file.owner}\u0000${file.sha256}\u0000${file.filename}\u0000${file.mime_type ?? ''}`;

/** Files in memory, bounded by count and bytes; the oldest are evicted first. */
export class MemoryFileStore implements FileStore, MeteredStore {
  readonly #byId: BoundedMap<StoredFile>;
  readonly #byContent = new Map<string, StoredFile>();

  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.files) {
    this.#byId = new BoundedMap(cap, (_id, file) => {
      if (this.#byContent.get(contentKey(file)) === file) this.#byContent.delete(contentKey(file));
    });
  }

  put(file: StoredFile): StoredFile {
    const key = contentKey(file);
    const existing = this.#byContent.get(key);
    if (existing) return existing;
    // The content index is filled first: storing may evict, and eviction cleans the index.
    this.#byContent.set(key, file);
    const bytes = 256 + file.data.byteLength + file.filename.length + file.owner.length;
    this.#byId.set(file.id, file, bytes);
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

  usage(): StoreUsage {
    return this.#byId.usage();
  }
}
