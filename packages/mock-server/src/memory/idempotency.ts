import { ERROR_CODES, HEADERS } from '@threadline/protocol';
import type { TurnRequest } from '../engine/types';
import { HttpError, invalidValue } from '../internal/errors';
import { sha256Hex } from '../internal/media';
import { BoundedMap, type MeteredStore, type StoreCap, type StoreUsage } from '../state/bounded';
import { DEFAULT_STORE_CAPS } from '../state/limits';

/** The longest `Idempotency-Key` a stateful turn may carry. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

const KEY_RULE = `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** What memory holds for one key: the request it came with and the ledger items its turn stored. */
export interface KeyedTurn {
  /** SHA-256 (hex) of the request as the engine reads it, `stream` aside. */
  fingerprint: string;
  /** The ledger `seq`s the latest stored attempt wrote. */
  seqs: number[];
  /** Whether that attempt stored a reply (it completed), or only the user's side (it failed). */
  answered: boolean;
}

/** Keyed turns by `<scope key>\u0000<idempotency key>`: the scope key already names the owner. */
export interface IdempotencyStore {
  get(key: string): KeyedTurn | undefined;
  set(key: string, turn: KeyedTurn): void;
  clear(): void;
}

export const keyedTurnKey = (scopeKey: string, idempotencyKey: string) =>
  `${scopeKey}\u0000${idempotencyKey}`;

/** Bounded like the other in-memory stores: past a cap the oldest keys are forgotten first. */
export class MemoryIdempotencyStore implements IdempotencyStore, MeteredStore {
  readonly #map: BoundedMap<KeyedTurn>;

  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.idempotency) {
    this.#map = new BoundedMap(cap);
  }

  get(key: string): KeyedTurn | undefined {
    return this.#map.get(key);
  }

  set(key: string, turn: KeyedTurn): void {
    this.#map.set(key, turn, 96 + key.length + turn.fingerprint.length + 8 * turn.seqs.length);
  }

  clear(): void {
    this.#map.clear();
  }

  usage(): StoreUsage {
    return this.#map.usage();
  }
}

/**
 * The turn's `Idempotency-Key`, or null when it sent none. A key that is empty, too long or not visible
 * ASCII is a 400 naming the header: silently ignoring it would store every resend.
 */
export function idempotencyKeyOf(header: (name: string) => string | null): string | null {
  const raw = header(HEADERS.idempotencyKey);
  if (raw === null) return null;
  const key = raw.trim();
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !VISIBLE_ASCII.test(key)) {
    throw invalidValue(
      HEADERS.idempotencyKey,
      `${HEADERS.idempotencyKey} must be ${KEY_RULE}, got ${key.length} characters.`,
    );
  }
  return key;
}

const encoder = new TextEncoder();

/**
 * What a resend must repeat: the request as the engine reads it. `stream` is left out, so a caller that
 * falls back from a stream to JSON with the same key is still resending the same turn. Web Crypto's
 * native digest runs off the event loop, several times faster than the JS SHA-256 on a large body.
 */
export function fingerprintOf(request: TurnRequest): Promise<string> {
  const { stream: _stream, door: _door, ...rest } = request;
  return sha256Hex(encoder.encode(JSON.stringify(rest)));
}

/** A key sent again with another request: answered before anything runs or is stored. */
export const keyReused = () =>
  new HttpError({
    status: 422,
    code: ERROR_CODES.idempotencyKeyReused,
    param: HEADERS.idempotencyKey,
    message:
      'This Idempotency-Key was already used for a different request in this session or thread; ' +
      'send a new key for a new turn.',
  });
