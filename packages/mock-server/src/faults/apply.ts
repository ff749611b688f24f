import { ERROR_CODES, ERROR_TYPES, HEADERS } from '@threadline/protocol';
import { HttpError } from '../internal/errors';
import { type FaultSet, FaultSpecError, isEmptyFaultSet, NO_FAULTS, parseFaultSpec } from './parse';
import type { FaultQueue } from './queue';

/**
 * The faults for one request: configured (every request), then the next queued one, then the request's
 * own header — later sources override earlier ones name by name.
 */
export function resolveFaults(configured: FaultSet, queue: FaultQueue, header: string | null): FaultSet {
  const queued = queue.size > 0 ? queue.take() : undefined;
  let own: FaultSet | undefined;
  if (header !== null) {
    try {
      own = parseFaultSpec(header);
    } catch (error) {
      if (!(error instanceof FaultSpecError)) throw error;
      throw new HttpError({
        status: 400,
        code: ERROR_CODES.invalidFault,
        param: HEADERS.fault,
        message: `Invalid ${HEADERS.fault} header: ${error.message}`,
      });
    }
  }
  if (!queued && !own) return configured;
  if (isEmptyFaultSet(configured) && !own) return queued ?? NO_FAULTS;
  return { ...configured, ...queued, ...own };
}

/**
 * The faults of an answer given before faults were resolved (a preflight, routing's 404 and 405): the
 * configured ones and the request's own header, never the queue (a queued one-shot fault belongs to the
 * next real request). A header that does not parse counts as none here; its route answers 400 for it.
 */
export function peekFaults(configured: FaultSet, header: string | null): FaultSet {
  if (header === null) return configured;
  try {
    return { ...configured, ...parseFaultSpec(header) };
  } catch (error) {
    if (error instanceof FaultSpecError) return configured;
    throw error;
  }
}

/** The error a fault set answers with before any work is done, or null when it injects none. */
export function injectedError(faults: FaultSet): HttpError | null {
  if (faults.status === undefined && faults.rateLimitSeconds === undefined && !faults.quota) return null;
  const headers: Record<string, string> = {};
  if (faults.rateLimitSeconds !== undefined) {
    headers[HEADERS.retryAfter] = String(Math.ceil(faults.rateLimitSeconds));
    headers[HEADERS.retryAfterMs] = String(Math.round(faults.rateLimitSeconds * 1000));
  }
  // Out of quota: retrying cannot help, so tell clients that honour x-should-retry not to.
  if (faults.quota && faults.shouldRetry === undefined) headers[HEADERS.shouldRetry] = 'false';
  const status = faults.status ?? 429;
  let code = faults.code;
  let type: string | undefined;
  if (faults.quota) {
    code ??= ERROR_CODES.insufficientQuota;
    type = ERROR_TYPES.insufficientQuota;
  } else if (faults.rateLimitSeconds !== undefined) {
    code ??= ERROR_CODES.rateLimitExceeded;
  }
  const what = faults.quota
    ? 'quota exhausted'
    : faults.rateLimitSeconds !== undefined
      ? 'rate limited'
      : 'error';
  return new HttpError({
    status,
    code,
    ...(type ? { type } : {}),
    headers,
    message: `Injected fault: ${what} (HTTP ${status})`,
  });
}

/** Waits `ms`, or less when the client leaves first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
