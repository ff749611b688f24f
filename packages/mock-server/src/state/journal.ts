import type { MeteredStore, StoreCap, StoreUsage } from './bounded';
import { DEFAULT_STORE_CAPS } from './limits';

/** One handled request, as the journal keeps it. */
export interface JournalEntry {
  /** 1-based, in arrival order. */
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  path: string;
  /** The query string without `?` ('' when none). */
  query: string;
  /** Request headers; credentials are masked. */
  headers: Record<string, string>;
  /** The parsed JSON body, a summary for large ones, or null. */
  body: unknown;
  status: number;
  runId: string | null;
  requestId: string;
  /** The tenant whose token the request carried (agent-token mode), else null. */
  tenant: string | null;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);

/** Secrets shorter than this are masked whole: 4 shown characters would give away most of them. */
const SHOWN_PREFIX_MIN_LENGTH = 12;

/**
 * Keeps the first 4 characters of a long secret so a test can tell two keys apart, and hides the rest;
 * a short one is hidden whole. The stars never tell a short secret's length.
 */
export function maskSecret(value: string): string {
  const bearer = /^(\s*bearer\s+)(.*)$/i.exec(value);
  const [prefix, secret] = bearer ? [bearer[1]!, bearer[2]!] : ['', value];
  if (secret.length < SHOWN_PREFIX_MIN_LENGTH) return `${prefix}********`;
  return `${prefix}${secret.slice(0, 4)}${'*'.repeat(secret.length - 4)}`;
}

export function maskHeaders(entries: Iterable<[string, string]>): Record<string, string> {
  // No prototype: a header named `__proto__` is kept as an ordinary entry.
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of entries) out[name] = SECRET_HEADERS.has(name) ? maskSecret(value) : value;
  return out;
}

/** Request headers as the journal keeps them: a function giving the entries, or a node headers object. */
export type JournalHeaders =
  | (() => Iterable<[string, string]>)
  | Readonly<Record<string, string | string[] | undefined>>;

function* headerEntries(headers: JournalHeaders): Iterable<[string, string]> {
  if (typeof headers === 'function') {
    yield* headers();
    return;
  }
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) yield [name, Array.isArray(value) ? value.join(', ') : value];
  }
}

/** What the app records per request; time and headers are turned into their entry form only when read. */
export interface JournalRecord extends Omit<JournalEntry, 'seq' | 'time' | 'headers'> {
  /** Epoch milliseconds. */
  startedAt: number;
  headers: JournalHeaders;
  /** The body's size as it arrived, when known; otherwise the body is measured by serialising it. */
  bodyBytes?: number;
  /** The JSON body's text, parsed when listed (`body` is then null): a string costs the heap far less. */
  bodyText?: string | undefined;
}

interface Stored {
  seq: number;
  record: JournalRecord;
  entry: JournalEntry | null;
  /** Estimated size, counted against the journal's byte cap. */
  bytes: number;
}

/**
 * The estimated size of a record (headers at a flat 1 KiB: node caps them at 16 KiB). A body that cannot
 * be turned back into JSON is replaced by a note, so one odd body never breaks listing the journal.
 */
function recordBytes(record: JournalRecord): number {
  // Request bodies come depth-checked from the body reader, so their arrived size stands for them.
  let bodyBytes = record.bodyBytes ?? 0;
  if (record.bodyBytes === undefined && record.body !== null && record.body !== undefined) {
    try {
      bodyBytes = JSON.stringify(record.body)?.length ?? 0;
    } catch {
      record.body = { unserializable: true };
      bodyBytes = 32;
    }
  }
  return 1024 + record.path.length + record.query.length + bodyBytes;
}

/**
 * The most recent requests, oldest first; bounded by count and bytes so a long-running server does not
 * grow forever (the oldest go first). Recording is cheap (no copying or masking on the request path);
 * entries are built when listed.
 */
export class Journal implements MeteredStore {
  #entries: Stored[] = [];
  /** Entries before this index are evicted; the array is compacted in batches, not on every request. */
  #head = 0;
  #bytes = 0;
  #evictedBytes = 0;
  #evicted = 0;
  #seq = 0;
  readonly limit: number;
  readonly maxBytes: number;

  constructor(cap: StoreCap | number = DEFAULT_STORE_CAPS.journal) {
    const resolved = typeof cap === 'number' ? { ...DEFAULT_STORE_CAPS.journal, maxCount: cap } : cap;
    this.limit = resolved.maxCount;
    this.maxBytes = resolved.maxBytes;
  }

  record(record: JournalRecord): void {
    const bytes = recordBytes(record);
    this.#entries.push({ seq: ++this.#seq, record, entry: null, bytes });
    this.#bytes += bytes;
    // The newest entry stays, however big.
    while (
      this.#entries.length - this.#head > 1 &&
      (this.#entries.length - this.#head > this.limit || this.#bytes > this.maxBytes)
    ) {
      const oldest = this.#entries[this.#head++]!;
      this.#bytes -= oldest.bytes;
      this.#evictedBytes += oldest.bytes;
      this.#evicted++;
    }
    // Evicted entries are let go in batches (or at once when they hold much memory).
    if (this.#head >= 100 || this.#evictedBytes > this.maxBytes / 4) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
      this.#evictedBytes = 0;
    }
  }

  usage(): StoreUsage {
    return {
      count: this.#entries.length - this.#head,
      bytes: this.#bytes,
      maxCount: this.limit,
      maxBytes: this.maxBytes,
      evicted: this.#evicted,
    };
  }

  /** The entries, oldest first; with `tenant`, only the requests made with that tenant's tokens. */
  list(tenant?: string): JournalEntry[] {
    const start = this.#head;
    const kept = this.#entries.slice(start);
    const visible = tenant === undefined ? kept : kept.filter((stored) => stored.record.tenant === tenant);
    return visible.map((stored) => {
      if (stored.entry === null) {
        const { startedAt, headers, bodyBytes: _size, bodyText, ...rest } = stored.record;
        stored.entry = {
          seq: stored.seq,
          time: new Date(startedAt).toISOString(),
          ...rest,
          // Read as JSON (and depth-checked) when it arrived, so it parses again.
          body: bodyText === undefined ? rest.body : JSON.parse(bodyText),
          headers: maskHeaders(headerEntries(headers)),
        };
      }
      return stored.entry;
    });
  }

  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#evictedBytes = 0;
    this.#evicted = 0;
    this.#seq = 0;
  }
}
