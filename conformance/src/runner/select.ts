import type { Check } from './types';

/** `i/n` with 1 ≤ i ≤ n: shard i of n. */
export interface Shard {
  index: number;
  count: number;
}

/** True when a filter term names the check: its id or an id prefix (`chat.stream`), capability or family. */
export function matchesFilter(check: Check, terms: readonly string[]): boolean {
  if (terms.length === 0) return true;
  return terms.some(
    (term) => check.id.startsWith(term) || check.capability === term || check.family === term,
  );
}

/**
 * The checks of shard i of n: every n-th check of the id-sorted list, starting at the i-th, so shards
 * are disjoint, cover everything, and stay stable when checks are added elsewhere in the catalogue.
 */
export function selectShard(checks: readonly Check[], shard: Shard | undefined): Check[] {
  const sorted = [...checks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (!shard || shard.count === 1) return sorted;
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}

/** Runs `work` over `items` with at most `limit` in flight, keeping results in item order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
