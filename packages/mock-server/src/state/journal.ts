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

/** What the app records per request; time and headers are turned into their entry form only when read. */
export interface JournalRecord extends Omit<JournalEntry, 'seq' | 'time' | 'headers'> {
  /** Epoch milliseconds. */
  startedAt: number;
  headers: () => Iterable<[string, string]>;
}

interface Stored {
  seq: number;
  record: JournalRecord;
  entry: JournalEntry | null;
}

/**
 * The most recent requests, oldest first; bounded so a long-running server does not grow forever.
 * Recording is cheap (no copying or masking on the request path); entries are built when listed.
 */
export class Journal {
  #entries: Stored[] = [];
  #seq = 0;
  readonly limit: number;

  constructor(limit = 1000) {
    this.limit = limit;
  }

  record(record: JournalRecord): void {
    this.#entries.push({ seq: ++this.#seq, record, entry: null });
    // Trim in batches so a full journal does not shift its array on every request.
    if (this.#entries.length > this.limit + 100) this.#entries.splice(0, this.#entries.length - this.limit);
  }

  /** The entries, oldest first; with `tenant`, only the requests made with that tenant's tokens. */
  list(tenant?: string): JournalEntry[] {
    const start = Math.max(0, this.#entries.length - this.limit);
    const kept = this.#entries.slice(start);
    const visible = tenant === undefined ? kept : kept.filter((stored) => stored.record.tenant === tenant);
    return visible.map((stored) => {
      if (stored.entry === null) {
        const { startedAt, headers, ...rest } = stored.record;
        stored.entry = {
          seq: stored.seq,
          time: new Date(startedAt).toISOString(),
          ...rest,
          headers: maskHeaders(headers()),
        };
      }
      return stored.entry;
    });
  }

  clear(): void {
    this.#entries = [];
    this.#seq = 0;
  }
}
