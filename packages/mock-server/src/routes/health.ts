import type { RequestContext } from '../context';
import { jsonResponse, type OutboundResponse } from '../internal/wire';

/** GET /health: no credentials needed, so load balancers and probes can call it. */
export function health(ctx: RequestContext): OutboundResponse {
  return jsonResponse(200, {
    status: 'online',
    engine: ctx.state.config.engine,
    ledger_status: 'connected',
    cache_status: 'connected',
  });
}
