import type { RequestContext } from '../context';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import { hasUsage } from '../state/bounded';

/**
 * GET /health: no credentials needed, so load balancers and probes can call it. Every dialect answers
 * with ICE's four fields; `engine` names the family emulated, and `ledger_status` is `disabled` for a
 * family without server-side memory (its headers are not honoured, nothing is stored). `stores` shows
 * how full each in-memory store is and how many entries it evicted (counts and sizes only, no content).
 */
export function health(ctx: RequestContext): OutboundResponse {
  const { config, dialect } = ctx.state;
  const hasMemory = dialect.memory.sessionHeader !== null || dialect.memory.threadHeader !== null;
  const emulated = dialect.name === 'threadline' || config.input.engine !== undefined;
  return jsonResponse(200, {
    status: 'online',
    engine: emulated ? config.engine : `${config.engine} (${dialect.name} dialect)`,
    ledger_status: hasMemory ? 'connected' : 'disabled',
    cache_status: 'connected',
    stores: storeUsage(ctx),
  });
}

function storeUsage(ctx: RequestContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, store] of ctx.state.stores) {
    const current = store();
    out[name] = hasUsage(current) ? current.usage() : { persistent: true };
  }
  return out;
}
