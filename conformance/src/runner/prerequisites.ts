import { ConformanceConfigError } from './errors';
import type { Check, CheckResult } from './types';

/**
 * The checks of this run: the final result of each by id (settled once it ran and any `blocked by` was
 * decided), and which check each one that threw `CheckBlocked` waits on.
 */
export interface Verdicts {
  results: Map<string, Promise<CheckResult>>;
  waiting: Map<string, string>;
}

/**
 * Verdicts for the chosen checks, each a promise the run settles with `settle(id, result)`. Registered
 * before any check starts, so a check can wait on one that has not started yet.
 */
export function newVerdicts(checks: readonly { id: string }[] = []) {
  const verdicts: Verdicts = { results: new Map(), waiting: new Map() };
  const settlers = new Map<string, (result: Promise<CheckResult>) => void>();
  for (const { id } of checks) {
    verdicts.results.set(id, new Promise((resolve) => settlers.set(id, resolve)));
  }
  const settle = (id: string, result: Promise<CheckResult>) => settlers.get(id)?.(result);
  return { verdicts, settle };
}

/** A result that means its property does not hold here (or could not be judged because of one that does not). */
export const isBroken = (result: CheckResult): boolean =>
  result.status === 'failed' ||
  result.status === 'warning' ||
  result.status === 'baselined' ||
  result.status === 'blocked';

/**
 * The order to start checks in: checks some other check names in `after` first (deepest prerequisites
 * first), then the rest, otherwise in the given order. A prerequisite outside the selection (filtered
 * out, another shard) is not run: the check is then judged on its own (see `blockedBy`).
 */
export function executionOrder(checks: readonly Check[]): Check[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const named = new Set(checks.flatMap((c) => c.after ?? []));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (check: Check): number => {
    const known = depth.get(check.id);
    if (known !== undefined) return known;
    if (visiting.has(check.id)) {
      throw new ConformanceConfigError(`checks wait on each other in a cycle through ${check.id}`);
    }
    visiting.add(check.id);
    let d = 0;
    for (const id of check.after ?? []) {
      const before = byId.get(id);
      if (before) d = Math.max(d, depthOf(before) + 1);
    }
    visiting.delete(check.id);
    depth.set(check.id, d);
    return d;
  };
  // Prerequisites (named ones) rank by depth; every other check after all of them.
  const rank = (check: Check) => (named.has(check.id) ? depthOf(check) : depthOf(check) + checks.length);
  const indexed = checks.map((check, i) => ({ check, i, r: rank(check) }));
  return indexed.sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.check);
}

/**
 * How a check that threw `CheckBlocked(by)` is reported: blocked, when `by` is part of this run and
 * broke (blocked by `by`'s own blocker when it was blocked too, so the report names the root); null
 * when `by` passed, was skipped or is not part of the run — the check then fails on its own account.
 * The run waits for these verdicts outside its pool of running checks, so waiting never holds a slot
 * a prerequisite needs; a check that waits (through others) on this one is not waited on.
 */
export async function blockedBy(by: string, self: string, verdicts: Verdicts): Promise<string | null> {
  if (by === self) return null;
  const entry = verdicts.results.get(by);
  if (!entry) return null;
  for (let at: string | undefined = by; at !== undefined; at = verdicts.waiting.get(at)) {
    if (at === self) return null;
  }
  verdicts.waiting.set(self, by);
  let result: CheckResult;
  try {
    result = await entry;
  } finally {
    verdicts.waiting.delete(self);
  }
  if (!isBroken(result)) return null;
  return result.status === 'blocked' && result.blockedBy ? result.blockedBy : by;
}
