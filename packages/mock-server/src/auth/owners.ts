import { hmacSha256Hex } from '../internal/hmac';
import { randomId } from '../internal/ids';

/**
 * Owner keys: who a stored thing (run, file, approval, memory scope) belongs to. Each component is
 * percent-encoded, so `:` and `/` only ever separate components and two different identities never
 * share a key (agent `ops:bot` of tenant `acme` is `agent:acme:ops%3Abot`, agent `bot` of tenant
 * `acme:ops` is `agent:acme%3Aops:bot`). The user is always the last component, after `/`.
 */
export type OwnerPrincipal =
  | { kind: 'anonymous' }
  | { kind: 'api-key'; keyId: string }
  | { kind: 'tenant'; tenant: string }
  | { kind: 'agent'; tenant: string; agent: string };

const part = (value: string) => encodeURIComponent(value);

/** The last anonymous and api-key owners built: one caller's runs then share one owner string. */
let lastAnonymous = { userId: '', owner: '' };
let lastKeyed = { keyId: '', userId: '', owner: '' };

export function ownerKey(principal: OwnerPrincipal, userId: string): string {
  switch (principal.kind) {
    case 'anonymous':
      if (lastAnonymous.userId !== userId || lastAnonymous.owner === '') {
        lastAnonymous = { userId, owner: `anon/${part(userId)}` };
      }
      return lastAnonymous.owner;
    case 'api-key':
      if (lastKeyed.keyId !== principal.keyId || lastKeyed.userId !== userId || lastKeyed.owner === '') {
        lastKeyed = { keyId: principal.keyId, userId, owner: `key:${principal.keyId}/${part(userId)}` };
      }
      return lastKeyed.owner;
  }
  const user = part(userId);
  switch (principal.kind) {
    case 'tenant':
      return `tenant:${part(principal.tenant)}/${user}`;
    case 'agent':
      return `agent:${part(principal.tenant)}:${part(principal.agent)}/${user}`;
  }
}

/** Bounded so a flood of made-up keys (api-key mode without a key list) cannot grow memory. */
const CACHE_LIMIT = 1024;

/**
 * Turns an API key into the id its owner keys carry: HMAC-SHA256 under a per-server secret, so the key
 * itself is never stored, shown or written to a `db` file, and the id cannot be reversed or guessed from
 * the key without the secret. With `db` the secret lives in the file, so ids survive restarts.
 */
export class KeyIds {
  readonly #secret: Uint8Array;
  readonly #cache = new Map<string, string>();

  constructor(secret: Uint8Array = new TextEncoder().encode(randomId(43))) {
    this.#secret = secret;
  }

  /** 128 bits of the HMAC in hex: ample against collisions among a server's keys. */
  id(key: string): string {
    let id = this.#cache.get(key);
    if (id === undefined) {
      id = hmacSha256Hex(this.#secret, key).slice(0, 32);
      // Oldest first: a Map iterates in insertion order.
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, id);
    }
    return id;
  }
}
