import { Attempt } from './request';

/**
 * The attempt a relayed response (a `Response` the caller fetched, e.g. from its own route) is read in:
 * no timeout of ours, the caller's signal; a non-2xx answer throws the typed error a call would have.
 */
export async function relayedAttempt(response: Response, signal: AbortSignal | undefined): Promise<Attempt> {
  const attempt = new Attempt({ timeout: 0, signal }, []);
  attempt.response = response;
  if (!response.ok) throw await attempt.httpError(response);
  return attempt;
}
