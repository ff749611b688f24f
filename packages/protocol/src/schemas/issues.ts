import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** How far into the value an issue got: a union branch that matched the value's type goes deeper. */
const depth = (issue: Issue): number =>
  issue.code === 'invalid_union' && issue.errors.length > 0
    ? issue.path.length + Math.max(...issue.errors.map((branch) => (branch[0] ? depth(branch[0]) : 0)))
    : issue.path.length;

/**
 * The issue worth reporting for a failed parse. A union (`input` as a string or items, say) fails as a
 * whole at its own path; this looks inside it for the branch that got furthest, so the report names
 * `input[1].call_id` rather than `input`. Other issues are returned as they are.
 */
export function reportedIssue(issues: readonly Issue[]): Issue | undefined {
  const first = issues[0];
  if (first?.code !== 'invalid_union' || first.errors.length === 0) return first;
  let best: Issue[] | undefined;
  for (const branch of first.errors) {
    if (branch[0] && (!best?.[0] || depth(branch[0]) > depth(best[0]))) best = branch;
  }
  const inner = best && reportedIssue(best);
  // Nothing deeper than the union itself (say, a number where a string or list was due): keep it.
  if (!inner || inner.path.length === 0) return first;
  return { ...inner, path: [...first.path, ...inner.path] };
}
