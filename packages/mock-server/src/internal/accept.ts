/** Longer Accept headers are read up to here: enough for any browser's, bounded for a stranger's. */
const MAX_ACCEPT_CHARS = 2048;

/**
 * The weight an Accept header gives `type` (`text/html`): the q of the most specific range that
 * matches it (`text/html` over `text/*` over the any-type wildcard), 1 when none is given, 0 when
 * nothing matches.
 */
export function acceptWeight(accept: string | null, type: string): number {
  if (accept === null || accept.trim() === '') return 1;
  const [major] = type.split('/');
  let best = -1;
  let weight = 0;
  for (const range of accept.slice(0, MAX_ACCEPT_CHARS).split(',')) {
    const [name = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const specificity = name === type ? 2 : name === `${major}/*` ? 1 : name === '*/*' ? 0 : -1;
    if (specificity <= best) continue;
    best = specificity;
    const q = params.find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    weight = Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
  }
  return weight;
}

/** True when the client prefers HTML to JSON (a browser); a tie (curl's any-type, SDKs) gets JSON. */
export function prefersHtml(accept: string | null): boolean {
  return acceptWeight(accept, 'text/html') > acceptWeight(accept, 'application/json');
}
