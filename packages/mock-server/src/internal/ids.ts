const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const POOL_SIZE = 4096;

// Random bytes are drawn in batches: one getRandomValues call per few hundred ids keeps id generation off
// the hot path's profile. Ids only need to be unguessable enough that tests never collide; ownership
// checks, not secrecy, keep one user's resources from another.
const pool = new Uint8Array(POOL_SIZE);
let offset = POOL_SIZE;

/** Where `count` fresh random bytes start in `pool` (read them there, before the next call). */
function randomBytesAt(count: number): number {
  if (offset + count > POOL_SIZE) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const at = offset;
  offset += count;
  return at;
}

const ALPHABET_CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const codes: number[] = [];

/**
 * A random base62 string after `prefix` (62 is close enough to 64 that the modulo bias does not matter
 * here), built as one flat string: the stores keep thousands of ids, and a string grown by `+=` is a
 * chain of string objects until something flattens it.
 */
export function randomId(length = 16, prefix = ''): string {
  const at = randomBytesAt(length);
  codes.length = prefix.length + length;
  for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
  for (let i = 0; i < length; i++) codes[prefix.length + i] = ALPHABET_CODES[pool[at + i]! % 62]!;
  return String.fromCharCode.apply(null, codes);
}

export const newRunId = (): string => randomId(20, 'run_');
// Request ids only need to be unique: a random per-process prefix and a counter are enough, and cheap.
const requestPrefix = `req_${randomId(8)}`;
let requestCounter = 0;
export const newRequestId = (): string =>
  `${requestPrefix}${(++requestCounter).toString(36).padStart(8, '0')}`;
export const newFileId = (): string => randomId(24, 'file-');
export const newToolCallId = (): string => randomId(20, 'call_');

/** Ids a caller names in headers (user, session, thread); owner keys encode them (auth/owners). */
const CALLER_ID = /^[\w.:@+-]{1,256}$/;
export const isCallerId = (id: string): boolean => CALLER_ID.test(id);
/** How the 400 for a malformed caller id describes the rule. */
export const CALLER_ID_RULE = '1 to 256 letters, digits or . _ : @ + - characters';
