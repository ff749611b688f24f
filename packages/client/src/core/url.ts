import { ThreadlineError } from './errors';

/** The server root: trailing slashes and a trailing `/v1` removed (routes add `/v1` themselves). */
export function normaliseBaseURL(baseURL: string): string {
  let url = baseURL.trim().replace(/\/+$/, '');
  if (url.endsWith('/v1')) url = url.slice(0, -3).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
    throw new ThreadlineError(`baseURL must be an http(s) URL, got ${JSON.stringify(baseURL)}`);
  }
  return url;
}

export function buildURL(root: string, path: string, query?: Record<string, string | undefined>): string {
  let url = normaliseBaseURL(root) + path;
  if (query) {
    const params = new URLSearchParams();
    for (const key in query) {
      const value = query[key];
      if (value !== undefined) params.set(key, value);
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  return url;
}

/** One path segment from a caller-supplied id (so `../` or `?` in an id cannot change the route). */
export const segment = (id: string): string => {
  if (typeof id !== 'string' || id === '') throw new ThreadlineError('an id must be a non-empty string');
  return encodeURIComponent(id);
};
