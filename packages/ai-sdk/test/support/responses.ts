import { readFileSync } from 'node:fs';
import type { FetchFunction } from '@ai-sdk/provider-utils';
import { type MockServerConfig, start } from '@threadline/mock-server';
import { DIALECTS, HEADERS } from '@threadline/protocol';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ThreadlineModelConfig } from '../../src/internal/config';
import { ThreadlineResponsesLanguageModel } from '../../src/threadline-responses-language-model';

const FIXTURES = new URL('../__fixtures__/', import.meta.url);

/** A recorded Responses stream (one event's JSON a line), as the SSE body the server sent it in. */
export function fixtureBody(name: string): string {
  const lines = readFileSync(new URL(`responses-${name}.chunks.txt`, FIXTURES), 'utf8').split('\n');
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`)
    .join('');
}

export interface Sent {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** A fetch that answers every request with `body` and keeps what was sent. */
export function replayFetch(body: string, init: { status?: number; headers?: Record<string, string> } = {}) {
  const sent: Sent[] = [];
  const fetch: FetchFunction = async (input, request) => {
    sent.push({
      url: String(input),
      headers: Object.fromEntries(new Headers(request?.headers).entries()),
      body: JSON.parse(String(request?.body)) as Record<string, unknown>,
    });
    return new Response(body, {
      status: init.status ?? 200,
      headers: { 'content-type': 'text/event-stream', [HEADERS.runId]: 'run_fixture', ...init.headers },
    });
  };
  return { fetch, sent };
}

/** The responses model over a given fetch, as createThreadline would build it. */
export function responsesModel(fetch: FetchFunction, overrides: Partial<ThreadlineModelConfig> = {}) {
  return new ThreadlineResponsesLanguageModel('', {
    provider: 'threadline.responses',
    url: (path) => `http://threadline.test/v1${path}`,
    headers: () => ({}),
    dialect: DIALECTS.threadline,
    defaults: {},
    fetch,
    ...overrides,
  });
}

/**
 * The real reference server on a port for the enclosing describe, reset before each test so none
 * sees another's memory, runs or approvals.
 */
export function useReferenceServer(config: MockServerConfig = {}) {
  let running: Awaited<ReturnType<typeof start>> | undefined;
  beforeAll(async () => {
    running = await start({ port: 0, host: '127.0.0.1', ...config });
  });
  afterAll(() => running?.close());
  beforeEach(() => running?.server.reset());
  const get = () => {
    if (!running) throw new Error('useReferenceServer(): read it inside a hook or test');
    return running;
  };
  return {
    get url() {
      return get().url;
    },
    get server() {
      return get().server;
    },
    /** The /v1/responses requests the server saw, in order. */
    responsesRequests() {
      return get()
        .server.journal.list()
        .filter((entry) => entry.path === '/v1/responses');
    },
  };
}
