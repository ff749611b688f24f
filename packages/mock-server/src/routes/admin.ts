import { CONTROL_PREFIX, ERROR_CODES } from '@threadline/protocol';
import type { RequestContext } from '../context';
import { HttpError } from '../internal/errors';
import type { InboundRequest } from '../internal/wire';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import type { ServerState } from '../state';
import type { ServerTools } from '../tools/registry';

/**
 * The control routes a tenant-admin token may use, each showing only its tenant's part. Every other one
 * (reset, faults, fixtures, routes a plugin adds) acts on the whole server: the control token's alone.
 */
const TENANT_ADMIN_ROUTES = new Set([`${CONTROL_PREFIX}/journal`, `${CONTROL_PREFIX}/tools`]);

const controlBearer = (request: InboundRequest): string | null => {
  const header = request.header('authorization');
  return header ? (/^\s*bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null) : null;
};

/**
 * The tenant a control call is limited to: null when it may see everything (no auth, or the control
 * token). Only meaningful once `checkControlAccess` let the call through.
 */
export function controlTenant(state: ServerState, request: InboundRequest): string | null {
  const { auth, input } = state.config;
  if (auth.mode === 'none') return null;
  const token = controlBearer(request);
  if (token === null || token === input.controlToken) return null;
  return auth.adminTokens.get(token)?.tenant ?? null;
}

/**
 * Control routes are open when the server runs without auth (local use). With auth on they need an
 * admin token: the configured `controlToken` (everything), or a tenant-admin token (its tenant's journal
 * and tool executions; 403 `permission_denied` elsewhere).
 */
export function checkControlAccess(state: ServerState, request: InboundRequest): void {
  const { auth, input } = state.config;
  if (auth.mode === 'none') return;
  const token = controlBearer(request);
  if (token === null) {
    throw new HttpError({
      status: 401,
      code: ERROR_CODES.missingCredentials,
      message: 'Control routes need an admin token: send Authorization: Bearer <admin token>.',
    });
  }
  if (token === input.controlToken) return;
  if (auth.adminTokens.has(token)) {
    const reads = request.method === 'GET' || request.method === 'HEAD';
    if (reads && TENANT_ADMIN_ROUTES.has(request.path)) return;
    throw new HttpError({
      status: 403,
      code: ERROR_CODES.permissionDenied,
      message: `A tenant-admin token may only read its tenant's ${[...TENANT_ADMIN_ROUTES].join(' and ')}; ${request.method} ${request.path} acts on the whole server and needs the control token.`,
    });
  }
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
  const tenant = controlTenant(ctx.state, ctx.request);
  const entries = ctx.state.journal.list(tenant ?? undefined);
  const count = limit !== null ? Number(limit) : entries.length;
  return jsonResponse(200, { entries: count === 0 ? [] : entries.slice(-count) });
}

/** POST /__threadline/reset: memory, runs, files, approvals, fixtures (back to config), faults, journal. */
export function resetServer(ctx: RequestContext): OutboundResponse {
  ctx.state.reset();
  return jsonResponse(200, { reset: true });
}

/** GET /__threadline/tools: the server tools and every execution so far (a tenant admin: its tenant's). */
export const getTools =
  (tools: ServerTools) =>
  (ctx: RequestContext): OutboundResponse => {
    const tenant = controlTenant(ctx.state, ctx.request);
    const executions =
      tenant === null ? tools.executions : tools.executions.filter((run) => run.tenant === tenant);
    return jsonResponse(200, { tools: tools.list(), executions });
  };
