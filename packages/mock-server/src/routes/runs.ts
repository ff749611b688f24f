import { authenticate, resolveIdentity } from '../auth/identity';
import type { RequestContext, RouteParams } from '../context';
import { notFound } from '../internal/errors';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import { toRunRecord } from '../state/runs';

/** GET /v1/runs/{id}: how a turn ended, for reconciling a dropped stream. */
export function getRun(ctx: RequestContext, params: RouteParams): OutboundResponse {
  const { config } = ctx.state;
  const principal = authenticate(config, ctx.request, ctx.faults);
  const identity = resolveIdentity(config, principal, ctx.request, { requireAgent: true });
  const run = ctx.state.runs.get(params.id!, identity.owner);
  if (!run) throw notFound(`No run with id '${params.id}'.`);
  return jsonResponse(200, toRunRecord(run));
}
