import { ERROR_CODES } from '@threadline/protocol';
import type { RequestContext } from '../context';
import { HttpError } from '../internal/errors';
import type { InboundRequest } from '../internal/wire';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import type { ServerState } from '../state';
import type { ServerTools } from '../tools/registry';

/**
 * Control routes are open when the server runs without auth (local use). With auth on they need an
 * admin token: the configured `controlToken`, or a tenant-admin token.
 */
export function checkControlAccess(state: ServerState, request: InboundRequest): void {
  const { auth, input } = state.config;
  if (auth.mode === 'none') return;
  const header = request.header('authorization');
  const token = header ? (/^\s*bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null) : null;
  if (token === null) {
    throw new HttpError({
      status: 401,
      code: ERROR_CODES.missingCredentials,
      message: 'Control routes need an admin token: send Authorization: Bearer <admin token>.',
    });
  }
  if (token === input.controlToken || auth.adminTokens.has(token)) return;
  throw new HttpError({
    status: 403,
    code: 'admin_token_required',
    message:
      input.controlToken === undefined && auth.adminTokens.size === 0
        ? 'Control routes need an admin token and none is configured (set controlToken or --control-token).'
        : 'This token may not use control routes: send the control token or a tenant-admin token.',
  });
}

/** GET /__threadline/journal[?limit=N]: the most recent requests, secrets masked. */
export function getJournal(ctx: RequestContext): OutboundResponse {
  const limit = new URLSearchParams(ctx.request.search).get('limit');
  if (limit !== null && !/^\d{1,9}$/.test(limit)) {
    throw new HttpError({
      status: 400,
      code: ERROR_CODES.invalidValue,
      param: 'limit',
      message: `limit must be a whole number of entries, got ${JSON.stringify(limit)}.`,
    });
  }
  const entries = ctx.state.journal.list();
  const count = limit !== null ? Number(limit) : entries.length;
  return jsonResponse(200, { entries: count === 0 ? [] : entries.slice(-count) });
}

/** POST /__threadline/reset: memory, runs, files, approvals, fixtures (back to config), faults, journal. */
export function resetServer(ctx: RequestContext): OutboundResponse {
  ctx.state.reset();
  return jsonResponse(200, { reset: true });
}

/** GET /__threadline/tools: the server tools and every execution so far. */
export const getTools = (tools: ServerTools) => (): OutboundResponse =>
  jsonResponse(200, { tools: tools.list(), executions: tools.executions });
