import { authenticate } from '../auth/identity';
import type { RequestContext, RouteParams } from '../context';
import { modelNotFound } from '../internal/errors';
import { jsonResponse, type OutboundResponse } from '../internal/wire';

/** A fixed creation time keeps model objects identical across runs (2026-01-01T00:00:00Z). */
const MODEL_CREATED = 1767225600;

const modelObject = (id: string) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'threadline' });

/** GET /v1/models */
export function listModels(ctx: RequestContext): OutboundResponse {
  authenticate(ctx.state.config, ctx.request, ctx.faults);
  return jsonResponse(200, { object: 'list', data: ctx.state.config.models.map(modelObject) });
}

/** GET /v1/models/{model} */
export function getModel(ctx: RequestContext, params: RouteParams): OutboundResponse {
  authenticate(ctx.state.config, ctx.request, ctx.faults);
  const id = params.model!;
  // models-any-id: a server that answers every id as if it were listed.
  if (!ctx.state.config.models.includes(id) && !ctx.faults.modelsAnyId) throw modelNotFound(id);
  return jsonResponse(200, modelObject(id));
}
