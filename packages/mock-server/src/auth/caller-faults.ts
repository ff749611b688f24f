import { ERROR_CODES, HEADERS, MAX_REQUEST_BYTES } from '@threadline/protocol';
import type { ResolvedConfig } from '../config';
import { FaultSpecError, parseFaultSpec } from '../faults/parse';
import { HttpError } from '../internal/errors';

/**
 * Faults that would let a caller reach another identity's data or get in without a valid key. A request
 * may not ask for them in its own fault header; the operator still can, through the config's `faults`
 * or the control token's queue (or `headerFaults: 'all'`, for suites that fault their own requests).
 */
const OPERATOR_ONLY: ReadonlyArray<[field: string, name: string]> = [
  ['anyUserApproves', 'any-user-approves'],
  ['filesAnyUser', 'files-any-user'],
  ['sharedSessionMemory', 'shared-session-memory'],
  ['acceptAnyKey', 'accept-any-key'],
];

const refused = (message: string) =>
  new HttpError({ status: 403, code: ERROR_CODES.permissionDenied, param: HEADERS.fault, message });

/** Throws 403 `permission_denied` when a request's own fault header asks for an operator-only fault. */
export function checkCallerFaults(config: ResolvedConfig, header: string | null): void {
  if (header === null || config.headerFaults === 'all') return;
  let own: Record<string, unknown>;
  try {
    own = parseFaultSpec(header) as Record<string, unknown>;
  } catch (error) {
    // resolveFaults answers a header that does not parse with 400 invalid_fault.
    if (error instanceof FaultSpecError) return;
    throw error;
  }
  for (const [field, name] of OPERATOR_ONLY) {
    if (own[field] === true) {
      throw refused(
        `The ${name} fault lifts the separation between callers: a request may not set it in ${HEADERS.fault}; set it in the server's faults or queue it with the control token.`,
      );
    }
  }
  // A caller may shrink its own body limit, never raise it: a larger one could exhaust the server's memory.
  if (typeof own.bodyLimit === 'number' && own.bodyLimit > MAX_REQUEST_BYTES) {
    throw refused(
      `A request may lower its body-limit in ${HEADERS.fault}, not raise it above ${MAX_REQUEST_BYTES} bytes.`,
    );
  }
}
