import { ERROR_CODES, HEADERS } from '@threadline/protocol';
import { checkCallerFaults } from './auth/caller-faults';
import { requestTenant } from './auth/identity';
import type { RequestContext } from './context';
import { injectedError, peekFaults, resolveFaults, sleep } from './faults/apply';
import { type FaultSet, NO_FAULTS } from './faults/parse';
import { HttpError, notFound, spoiledErrorBody } from './internal/errors';
import { unsendableHeader } from './internal/headers';
import { newRequestId } from './internal/ids';
import { type InboundRequest, JSON_CONTENT_TYPE, type OutboundResponse } from './internal/wire';
import type { Router } from './router';
import { checkControlAccess } from './routes/admin';
import type { ServerState } from './state';
import { FramePump } from './stream/pump';

const encoder = new TextEncoder();
const utf8Length = (text: string) => encoder.encode(text).byteLength;

/** Headers a browser page may read from our answers. */
const EXPOSED_HEADERS = [
  HEADERS.requestId,
  HEADERS.runId,
  HEADERS.retryAfter,
  HEADERS.retryAfterMs,
  HEADERS.shouldRetry,
  'content-type',
].join(', ');

/** Headers a preflight allows when the browser does not list the ones it wants. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  HEADERS.sessionId,
  HEADERS.userId,
  HEADERS.threadId,
  HEADERS.smithId,
  HEADERS.apiVersion,
  HEADERS.spiceProgress,
  HEADERS.idempotencyKey,
  HEADERS.requestId,
  HEADERS.fault,
  HEADERS.chunkDelay,
].join(', ');

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface App {
  handle(request: InboundRequest): Promise<OutboundResponse>;
}

/**
 * The request pipeline: preflight, routing (404/405), faults (latency, injected errors), the route,
 * error mapping into the dialect's body shape, then the headers every answer carries (CORS ones when the
 * request has an Origin) and the journal.
 */
export function createApp(state: ServerState, router: Router): App {
  const { dialect } = state;

  function errorResponse(error: unknown, faults: FaultSet = NO_FAULTS): OutboundResponse {
    const http =
      error instanceof HttpError
        ? error
        : new HttpError({
            status: 500,
            code: ERROR_CODES.serverError,
            message: `Internal server error: ${error instanceof Error ? error.message : String(error)}`,
          });
    const body = spoiledErrorBody(http.body(dialect.errorShape, dialect.modelNotFoundShape), http, faults);
    return {
      status: http.status,
      headers: { 'content-type': JSON_CONTENT_TYPE, ...http.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    };
  }

  function preflight(request: InboundRequest): OutboundResponse {
    const headers: Record<string, string> = {
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': request.header('access-control-request-headers') ?? ALLOWED_HEADERS,
      'access-control-max-age': '600',
      vary: 'access-control-request-headers',
    };
    // Chrome asks before a public page may call a server on localhost.
    if (request.header('access-control-request-private-network') === 'true') {
      headers['access-control-allow-private-network'] = 'true';
    }
    return { status: 204, headers, body: null };
  }

  async function handle(request: InboundRequest): Promise<OutboundResponse> {
    const started = Date.now();
    const incomingId = request.header(HEADERS.requestId);
    const requestId = incomingId !== null && SAFE_REQUEST_ID.test(incomingId) ? incomingId : newRequestId();
    let ctx: RequestContext | null = null;
    let faults: FaultSet = NO_FAULTS;
    let journalled = true;
    // Control and discovery routes: no fault touches them.
    let protocol = true;
    // Faults also shape answers given before they were resolved (a preflight, routing's 404 and 405):
    // the configured ones and the request's own header, never a queued one-shot fault.
    const shaping = () =>
      faults !== NO_FAULTS || !protocol
        ? faults
        : peekFaults(state.config.faults, request.header(HEADERS.fault));
    let response: OutboundResponse;
    try {
      if (request.method === 'OPTIONS') {
        journalled = false;
        if (shaping().noCors) {
          throw new HttpError({ status: 405, message: `OPTIONS is not allowed on ${request.path}.` });
        }
        response = preflight(request);
      } else {
        const match = router.match(request.method, request.path);
        if (match.kind === 'not-found') throw notFound(`No route for ${request.method} ${request.path}.`);
        if (match.kind === 'method-not-allowed') {
          throw new HttpError({
            status: 405,
            message: `${request.method} is not allowed on ${request.path}; use ${match.allowed.join(' or ')}.`,
            headers: { allow: [...match.allowed, 'OPTIONS'].join(', ') },
          });
        }
        if (match.route.control) {
          journalled = false;
          protocol = false;
          checkControlAccess(state, request);
        } else if (match.route.discovery) {
          // Describes the server to a suite: a fault meant for the protocol must not hide it.
          journalled = false;
          protocol = false;
        } else {
          checkCallerFaults(state.config, request.header(HEADERS.fault));
          faults = resolveFaults(state.config.faults, state.faults, request.header(HEADERS.fault));
          if (faults.latencyMs) await sleep(faults.latencyMs, request.signal);
          const injected = injectedError(faults);
          if (injected) throw injected;
        }
        ctx = { request, requestId, state, faults, runId: null, body: null };
        response = await match.route.handler(ctx, match.params);
      }
    } catch (error) {
      response = errorResponse(error, shaping());
    }
    // A header node cannot send would throw in writeHead (a plain-text 500 from the adapter): answer
    // a typed error instead, naming the header.
    const unsendable = unsendableHeader(response.headers);
    if (unsendable !== null) {
      if (response.body instanceof FramePump) response.body.cancel();
      response = errorResponse(
        new HttpError({
          status: 500,
          message: `The answer's header ${JSON.stringify(unsendable).slice(0, 200)} holds characters HTTP cannot carry.`,
        }),
      );
    }
    const headers = response.headers;
    headers[HEADERS.requestId] = requestId;
    // Only a request with an Origin (every cross-origin browser request has one) gets CORS headers: other
    // callers never read them, and a cacheable answer says it varies on Origin.
    if (request.header('origin') !== null && !shaping().noCors) {
      headers['access-control-allow-origin'] = '*';
      headers['access-control-expose-headers'] = EXPOSED_HEADERS;
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      headers.vary = headers.vary === undefined ? 'origin' : `${headers.vary}, origin`;
    }
    if (ctx?.runId) headers[HEADERS.runId] = ctx.runId;
    if (faults.shouldRetry !== undefined) headers[HEADERS.shouldRetry] = String(faults.shouldRetry);
    if (request.method === 'HEAD') {
      // GET's headers, content-length included (RFC 9110), without the body.
      const body = response.body;
      if (typeof body === 'string') headers['content-length'] = String(utf8Length(body));
      else if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);
      else if (body instanceof FramePump) body.cancel();
      response.body = null;
    }
    if (journalled) {
      state.journal.record({
        startedAt: started,
        method: request.method,
        path: request.path,
        query: request.search,
        headers: request.headerRecord ?? request.headerEntries,
        body: ctx?.body ?? null,
        bodyText: ctx?.bodyText,
        // Undefined reads as "not measured" (journal.ts): no spread of a one-key object per request.
        bodyBytes: ctx?.bodyBytes,
        status: response.status,
        runId: ctx?.runId ?? null,
        requestId,
        tenant: requestTenant(state.config, request),
      });
    }
    return response;
  }

  return { handle };
}
