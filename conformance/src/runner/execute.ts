import { toCurl } from '../internal/curl';
import { CheckBlocked, CheckFailure, CheckSkipped } from '../internal/expect';
import { describeError } from '../internal/http';
import { CheckContext, type RunState } from './context';
import type { Check, CheckMeta, CheckResult } from './types';

const meta = (check: Check): CheckMeta => {
  const { run: _run, ...rest } = check;
  return rest;
};

/** Why a check cannot run against this server, or null when it can. */
export function skipReason(check: Check, state: RunState): string | null {
  for (const capability of [check.capability, ...(check.requires ?? [])]) {
    if (!state.capabilities.has(capability)) {
      const withheld = state.withheld.get(capability);
      if (withheld) return `capability '${capability}' not checked: ${withheld}`;
      return `capability '${capability}' not declared (dialect ${state.dialect.name}; declare it in --config)`;
    }
  }
  for (const fixture of check.fixtures ?? []) {
    if (state.fixtures[fixture] === undefined) return `fixture '${fixture}' not configured (--config)`;
  }
  return null;
}

/**
 * Runs one check within the timeout; every outcome becomes a result, never a thrown error — except a
 * stopped run, which rejects with the stop signal's reason as soon as it is stopped. A `CheckBlocked`
 * gives a failure plus `blockedBy`, the check it names: the run decides, once that check has its
 * verdict, whether the result is `blocked` instead (prerequisites.ts).
 */
export async function executeCheck(
  check: Check,
  state: RunState,
): Promise<{ result: CheckResult; blockedBy?: string }> {
  state.stop?.throwIfAborted();
  const started = performance.now();
  const base = meta(check);
  const reason = skipReason(check, state);
  if (reason) return { result: { ...base, status: 'skipped', message: reason, durationMs: 0 } };

  const controller = new AbortController();
  const ctx = new CheckContext(state, controller.signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const limit = `timed out: the per-check limit is ${state.timeoutMs} ms (--timeout)`;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('timed out', 'TimeoutError'));
      reject(new CheckFailure(limit, 'a complete answer', 'timed out'));
    }, state.timeoutMs);
  });
  let onStop: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onStop = () => {
      controller.abort(state.stop?.reason);
      reject(state.stop?.reason);
    };
    state.stop?.addEventListener('abort', onStop, { once: true });
  });
  const finish = (fields: Partial<CheckResult>): CheckResult => {
    const request = ctx.requests.at(-1);
    const result: CheckResult = {
      ...base,
      status: 'passed',
      ...fields,
      durationMs: Math.round(performance.now() - started),
    };
    if (fields.status !== 'passed' && fields.status !== 'skipped' && request) {
      result.request = request;
      result.curl = toCurl(request);
    }
    return result;
  };
  try {
    await Promise.race([check.run(ctx), timeout, stopped]);
    return { result: finish({ status: 'passed' }) };
  } catch (error) {
    if (state.stop?.aborted) throw state.stop.reason;
    if (error instanceof CheckSkipped) {
      return { result: finish({ status: 'skipped', message: error.message }) };
    }
    const failed = check.level === 'MUST' ? 'failed' : 'warning';
    if (error instanceof CheckFailure) {
      // The abort often reaches the check first (as a broken stream): name the limit either way.
      const ranOut = (timedOut || ctx.timedOut) && error.message !== limit;
      const message = ranOut ? `${limit}; ${error.message}` : error.message;
      const result = finish({ status: failed, message, expected: error.expected, got: error.got });
      return error instanceof CheckBlocked ? { result, blockedBy: error.by } : { result };
    }
    const what = controller.signal.aborted ? 'timed out' : describeError(error);
    return {
      result: finish({
        status: failed,
        message: timedOut || ctx.timedOut ? limit : `the exchange failed: ${what}`,
        expected: 'an answer',
        got: what,
      }),
    };
  } finally {
    clearTimeout(timer);
    if (onStop) state.stop?.removeEventListener('abort', onStop);
    controller.abort();
  }
}
