import { CONTROL_PREFIX } from '@threadline/protocol';
import { type App, createApp } from './app';
import { type MockServerConfig, type ResolvedConfig, resolveConfig } from './config';
import type { FaultQueue } from './faults/queue';
import { ingestRoute } from './ingest/route';
import { readStreamBody } from './internal/body';
import type { InboundRequest, OutboundResponse } from './internal/wire';
import type { Ledger } from './memory/ledger';
import type { FixtureStore } from './model/fixtures';
import { Router } from './router';
import { getJournal, getTools, resetServer } from './routes/admin';
import { chatCompletions } from './routes/chat';
import {
  addFixtures,
  clearFaults,
  deleteFixtures,
  enqueueFault,
  listFaults,
  listFixtures,
} from './routes/control';
import { DISCOVERY_PATH, discoveryRoute } from './routes/discovery';
import { getFile, getFileContent } from './routes/files';
import { health } from './routes/health';
import { homeRoute } from './routes/home';
import { getModel, listModels } from './routes/models';
import { createResponse } from './routes/responses';
import { MemoryResponseStore, useResponseStore } from './routes/responses/chain';
import { compactResponse } from './routes/responses/compact';
import { getRun } from './routes/runs';
import { createState, type ServerState } from './state';
import type { Journal } from './state/journal';
import { resolveStoreLimits } from './state/limits';
import { installStateful, type StatefulParts } from './stateful';
import { openStores, type PersistentStores } from './store';
import { FramePump, pumpToReadableStream } from './stream/pump';
import type { ServerTools } from './tools/registry';

/** A reference server instance: a Web-standard handler plus its scriptable state. */
export interface MockServer {
  /** The Web-standard core: any `Request` in, a `Response` out. */
  fetch(request: Request): Promise<Response>;
  /** Scripted answers (first match wins). */
  readonly fixtures: FixtureStore;
  /** One-shot faults for the next N requests. */
  readonly faults: FaultQueue;
  /** The requests handled so far (control routes excluded). */
  readonly journal: Journal;
  readonly config: ResolvedConfig;
  /** Stores and extension hooks (runs, files, turn hooks), for plugins and white-box tests. */
  readonly state: ServerState;
  /** Session and thread memory (messages and ingested documents). */
  readonly memory: Ledger;
  /** The server-run tools and the log of their executions. */
  readonly tools: ServerTools;
  /** The route table; plugins add routes to it. */
  readonly router: Router;
  /**
   * Empties memory, runs, files, approvals (in the `db` file too) and the journal, clears queued faults,
   * and restores the configured fixtures.
   */
  reset(): void;
  /** The core below `fetch`, for adapters that bring their own request type (the node adapter). */
  handle(request: InboundRequest): Promise<OutboundResponse>;
  /** Releases what the server holds open: the `db` file (nothing for an in-memory server). Idempotent. */
  close(): void;
}

function registerCoreRoutes(router: Router, control: boolean): void {
  router
    .add('POST', '/v1/chat/completions', chatCompletions)
    .add('POST', '/v1/responses', createResponse)
    .add('POST', '/v1/responses/compact', compactResponse)
    .add('GET', '/v1/models', listModels)
    .add('GET', '/v1/models/:model', getModel)
    .add('GET', '/v1/files/:id', getFile)
    .add('GET', '/v1/files/:id/content', getFileContent)
    .add('GET', '/v1/runs/:id', getRun)
    .add('GET', '/health', health);
  if (!control) return;
  const options = { control: true };
  router
    .add('GET', `${CONTROL_PREFIX}/faults`, listFaults, options)
    .add('POST', `${CONTROL_PREFIX}/faults`, enqueueFault, options)
    .add('DELETE', `${CONTROL_PREFIX}/faults`, clearFaults, options)
    .add('GET', `${CONTROL_PREFIX}/fixtures`, listFixtures, options)
    .add('POST', `${CONTROL_PREFIX}/fixtures`, addFixtures, options)
    .add('DELETE', `${CONTROL_PREFIX}/fixtures`, deleteFixtures, options);
}

/** Closes over the Headers only, so the journal does not keep the whole request alive. */
const entriesOf = (headers: Headers) => () => headers.entries();

function fromWebRequest(request: Request): InboundRequest {
  const url = new URL(request.url);
  return {
    method: request.method.toUpperCase(),
    path: url.pathname,
    search: url.search.slice(1),
    header: (name) => request.headers.get(name),
    headerEntries: entriesOf(request.headers),
    readBody: (limit) => readStreamBody(request.body, limit),
    signal: request.signal,
  };
}

function toWebResponse(out: OutboundResponse): Response {
  const body = out.body instanceof FramePump ? pumpToReadableStream(out.body) : out.body;
  return new Response(body as BodyInit | null, { status: out.status, headers: out.headers });
}

/** The streams being sent, so closing the server can end them before their stores go away. */
class LiveStreams {
  readonly #pumps = new Set<FramePump>();

  track(out: OutboundResponse): OutboundResponse {
    if (!(out.body instanceof FramePump)) return out;
    // Ended streams are dropped as new ones come, so the set stays as small as what is open.
    for (const pump of this.#pumps) if (pump.ended) this.#pumps.delete(pump);
    this.#pumps.add(out.body);
    return out;
  }

  cancelAll(): void {
    for (const pump of this.#pumps) pump.cancel();
    this.#pumps.clear();
  }
}

/** Creates a server from a config (validated; a `ConfigError` says what is wrong). */
export function createMockServer(config: MockServerConfig = {}): MockServer {
  const resolved = resolveConfig(config);
  const keysCap = resolveStoreLimits(resolved.input.storeLimits).idempotency.maxCount;
  const stores = resolved.input.db === undefined ? null : openStores(resolved.input.db, keysCap);
  try {
    return assemble(resolved, stores);
  } catch (error) {
    stores?.db.close();
    throw error;
  }
}

/** Builds the server around its stores: the `db` file's when one is open, else in-memory ones. */
function assemble(resolved: ResolvedConfig, stores: PersistentStores | null): MockServer {
  const state = createState(resolved);
  if (stores) {
    resolved.auth.keyIds = stores.keyIds;
    state.runs = stores.runs;
    state.files = stores.files;
    useResponseStore(state, stores.responses);
  } else {
    // In memory, created now so that /health lists it from the first request on.
    useResponseStore(state, new MemoryResponseStore(state.storeLimits.responses));
  }
  const parts: StatefulParts = installStateful(state, stores ?? {});
  const router = new Router();
  const control = resolved.input.control !== false;
  registerCoreRoutes(router, control);
  router.add('POST', '/v1/ingest', ingestRoute(parts.ledger));
  router.add('GET', DISCOVERY_PATH, discoveryRoute(state), { discovery: true });
  // A page for whoever opens the server's root in a browser: public, untouched by faults.
  router.add('GET', '/', homeRoute(router), { discovery: true });
  if (control) {
    const options = { control: true };
    router
      .add('GET', `${CONTROL_PREFIX}/journal`, getJournal, options)
      .add('POST', `${CONTROL_PREFIX}/reset`, resetServer, options)
      .add('GET', `${CONTROL_PREFIX}/tools`, getTools(parts.tools), options);
  }
  const app: App = createApp(state, router);
  const streams = new LiveStreams();
  // Only a db file needs its streams ended before it closes; the in-memory hot path stays as it is.
  const handle = stores
    ? async (request: InboundRequest) => streams.track(await app.handle(request))
    : app.handle;
  return {
    fetch: async (request) => toWebResponse(await handle(fromWebRequest(request))),
    handle,
    fixtures: state.fixtures,
    faults: state.faults,
    journal: state.journal,
    config: resolved,
    state,
    memory: parts.ledger,
    tools: parts.tools,
    router,
    reset: () => state.reset(),
    close: () => {
      if (!stores?.db.isOpen) return;
      // A stream still open now ends as a cancelled run, recorded while the file can still take it.
      streams.cancelAll();
      stores.db.close();
    },
  };
}
