import { type ErrorCode, HEADERS } from '@threadline/protocol';

const BASE_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/**
 * Whether a failed answer may be tried again. `x-should-retry` overrides the status rule, except that an
 * exhausted quota is never retried: waiting will not refill it.
 */
export function isRetryable(status: number | undefined, code: string | null, headers?: Headers): boolean {
  if (code === ('insufficient_quota' satisfies ErrorCode)) return false;
  const hint = headers?.get(HEADERS.shouldRetry);
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  if (status === undefined) return true; // connection error, timeout
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait the server asked for, in ms: `retry-after-ms`, else `Retry-After` in seconds or as a date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = headers.get(HEADERS.retryAfterMs);
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get(HEADERS.retryAfter)?.trim();
  if (!after) return null;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Exponential backoff (0.5 s, 1 s, 2 s … up to 8 s) with up to 25% jitter below it. */
export function backoffMs(retriesDone: number, random = Math.random): number {
  const base = Math.min(BASE_DELAY_MS * 2 ** retriesDone, MAX_BACKOFF_MS);
  return Math.round(base * (1 - random() * 0.25));
}

/**
 * How long to wait before the next attempt, or `null` when the server asks for longer than the cap
 * (then the error is thrown at once: retrying earlier than asked only earns another refusal).
 */
export function retryDelay(
  headers: Headers | undefined,
  retriesDone: number,
  maxRetryAfter: number,
): number | null {
  const asked = retryAfterMs(headers);
  if (asked === null) return backoffMs(retriesDone);
  return asked <= maxRetryAfter ? asked : null;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
