import { ERROR_CODES } from '@threadline/protocol';
import type { RequestContext } from '../context';
import { FaultSpecError } from '../faults/parse';
import { readJsonBody } from '../internal/body';
import { HttpError } from '../internal/errors';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import { FixtureError } from '../model/fixtures';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** GET /__threadline/faults: the configured spec and the one-shot queue. */
export function listFaults(ctx: RequestContext): OutboundResponse {
  return jsonResponse(200, { configured: ctx.state.config.faultSpec, queued: ctx.state.faults.list() });
}

/** POST /__threadline/faults `{"fault": SPEC, "count": N}`: fault the next N requests (default 1). */
export async function enqueueFault(ctx: RequestContext): Promise<OutboundResponse> {
  const { value } = await readJsonBody(ctx.request);
  ctx.body = value;
  if (!isRecord(value) || typeof value.fault !== 'string') {
    throw new HttpError({
      status: 400,
      code: ERROR_CODES.invalidFault,
      param: 'fault',
      message: 'Send {"fault": "<spec>", "count": <n>}, e.g. {"fault": "rate-limit=2", "count": 1}.',
    });
  }
  const count = value.count ?? 1;
  try {
    ctx.state.faults.enqueue(value.fault, count as number);
  } catch (error) {
    if (error instanceof FaultSpecError || error instanceof TypeError) {
      throw new HttpError({
        status: 400,
        code: ERROR_CODES.invalidFault,
        param: error instanceof FaultSpecError ? 'fault' : 'count',
        message: error.message,
      });
    }
    throw error;
  }
  return jsonResponse(201, { queued: ctx.state.faults.list() });
}

/** DELETE /__threadline/faults: empty the one-shot queue. */
export function clearFaults(ctx: RequestContext): OutboundResponse {
  ctx.state.faults.clear();
  return jsonResponse(200, { queued: [] });
}

/** GET /__threadline/fixtures */
export function listFixtures(ctx: RequestContext): OutboundResponse {
  return jsonResponse(200, { fixtures: ctx.state.fixtures.list() });
}

/** POST /__threadline/fixtures: a fixture, an array of them, or `{"fixtures": [...]}`. */
export async function addFixtures(ctx: RequestContext): Promise<OutboundResponse> {
  const { value } = await readJsonBody(ctx.request);
  ctx.body = value;
  const input = isRecord(value) && Array.isArray(value.fixtures) ? value.fixtures : value;
  try {
    const added = ctx.state.fixtures.add(input as never);
    return jsonResponse(201, { fixtures: added });
  } catch (error) {
    if (!(error instanceof FixtureError)) throw error;
    throw new HttpError({ status: 400, code: ERROR_CODES.invalidFixture, message: error.message });
  }
}

/** DELETE /__threadline/fixtures[?id=<id>]: remove one fixture, or all of them. */
export function deleteFixtures(ctx: RequestContext): OutboundResponse {
  const id = new URLSearchParams(ctx.request.search).get('id');
  const { fixtures } = ctx.state;
  if (id === null) {
    const removed = fixtures.size;
    fixtures.clear();
    return jsonResponse(200, { removed });
  }
  if (!fixtures.remove(id)) throw new HttpError({ status: 404, message: `No fixture with id '${id}'.` });
  return jsonResponse(200, { removed: 1 });
}
