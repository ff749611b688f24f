import type { Dialect } from '@threadline/protocol';
import type { FaultSet } from '../faults/parse';
import { invalidValue } from '../internal/errors';
import { CALLER_ID_RULE, isCallerId } from '../internal/ids';

/** Where a turn's memory lives: a thread (server-held history) or a session (retrieved context). */
export interface MemoryScope {
  kind: 'session' | 'thread';
  id: string;
  /** The ledger key: owner, kind and id. */
  key: string;
}

export const scopeKey = (owner: string, kind: MemoryScope['kind'], id: string) =>
  `${owner}\u0000${kind}:${id}`;

/**
 * The memory scope a request names through its dialect's headers, or null (stateless). A thread wins
 * over a session when both are sent. A malformed id is a 400, not silently stateless.
 */
export function memoryScope(
  dialect: Dialect,
  owner: string,
  header: (name: string) => string | null,
): MemoryScope | null {
  const pick = (name: string | null, kind: MemoryScope['kind']): MemoryScope | null => {
    if (name === null) return null;
    const raw = header(name);
    if (raw === null) return null;
    const id = raw.trim();
    if (!isCallerId(id)) {
      throw invalidValue(name, `${name} must be ${CALLER_ID_RULE}, got ${JSON.stringify(raw.slice(0, 80))}.`);
    }
    return { kind, id, key: scopeKey(owner, kind, id) };
  };
  return pick(dialect.memory.threadHeader, 'thread') ?? pick(dialect.memory.sessionHeader, 'session');
}

/** The shared-session-memory fault: every session of an owner is one memory (turns and ingest alike). */
export function faultedScope(scope: MemoryScope, owner: string, faults: FaultSet): MemoryScope {
  if (!faults.sharedSessionMemory || scope.kind !== 'session') return scope;
  return { ...scope, key: scopeKey(owner, 'session', '*') };
}
