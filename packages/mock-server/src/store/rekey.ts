import type { DatabaseSync } from 'node:sqlite';
import { KeyIds, type OwnerPrincipal, ownerKey } from '../auth/owners';
import type { Row } from './sql';

/** The `meta` row holding the secret API-key ids are derived with (hex). */
export const OWNER_SECRET = 'owner_secret';

const fromHex = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
};

/** The API-key ids of this file: the same secret on every open, so owners stay stable across restarts. */
export function fileKeyIds(db: DatabaseSync): KeyIds {
  const row = db.prepare('SELECT value FROM meta WHERE name = ?').get(OWNER_SECRET) as Row | undefined;
  return new KeyIds(fromHex(row!.value as string));
}

/**
 * A version-1 owner (`key:<the API key>/<user>`, `agent:<tenant>:<agent>/<user>`, parts not encoded) in
 * today's form. The user never held a `/`, so the last `/` splits it; an old agent owner splits at its
 * first `:` (version 1 could not tell `acme:ops` + `bot` from `acme` + `ops:bot` either).
 */
function currentOwner(old: string, keyIds: KeyIds): string {
  const slash = old.lastIndexOf('/');
  const principal = slash < 0 ? old : old.slice(0, slash);
  const user = slash < 0 ? '' : old.slice(slash + 1);
  let parsed: OwnerPrincipal | null = null;
  if (principal === 'anon') parsed = { kind: 'anonymous' };
  else if (principal.startsWith('key:')) parsed = { kind: 'api-key', keyId: keyIds.id(principal.slice(4)) };
  else if (principal.startsWith('tenant:')) parsed = { kind: 'tenant', tenant: principal.slice(7) };
  else if (principal.startsWith('agent:')) {
    const rest = principal.slice(6);
    const colon = rest.indexOf(':');
    if (colon >= 0) parsed = { kind: 'agent', tenant: rest.slice(0, colon), agent: rest.slice(colon + 1) };
  }
  // Not a form any version wrote: kept apart, and hashed in case it held a secret.
  return parsed ? ownerKey(parsed, user) : `legacy:${keyIds.id(old)}`;
}

/** Table and column holding an owner, and how to find the owner in the column's value. */
const OWNER_COLUMNS = [
  { table: 'runs', column: 'owner', split: null },
  { table: 'files', column: 'owner', split: null },
  { table: 'approvals', column: 'owner', split: null },
  // A memory scope is `<owner>\u0000<kind>:<id>`.
  { table: 'ledger', column: 'scope', split: '\u0000' },
] as const;

/**
 * Rewrites every owner of a version-1 file in today's form, with API keys replaced by their ids, so an
 * upgraded file no longer holds a key and every owner still reaches its data. Two passes (mark, then
 * rename) so a new owner can never meet an old one still waiting under a UNIQUE constraint.
 */
export function rekeyOwners(db: DatabaseSync): void {
  const keyIds = fileKeyIds(db);
  for (const { table, column, split } of OWNER_COLUMNS) {
    // Values go through bound parameters only: SQL string functions stop at the NUL a scope holds.
    const values = (db.prepare(`SELECT DISTINCT ${column} AS value FROM ${table}`).all() as Row[]).map(
      (row) => row.value as string,
    );
    const rename = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${column} = ?`);
    for (const old of values) rename.run(`\u0001${old}`, old);
    for (const old of values) {
      const cut = split === null ? -1 : old.indexOf(split);
      const renamed =
        cut < 0 ? currentOwner(old, keyIds) : `${currentOwner(old.slice(0, cut), keyIds)}${old.slice(cut)}`;
      rename.run(renamed, `\u0001${old}`);
    }
  }
}
