import { readFileSync } from 'node:fs';
import type { FetchFunction } from '@ai-sdk/provider-utils';
import type { JournalEntry } from '@threadline/mock-server';
import { DIALECTS, HEADERS } from '@threadline/protocol';
import type { ThreadlineModelConfig } from '../../src/internal/config';
import { IdempotencyKeys } from '../../src/internal/idempotency';
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
    idempotency: new IdempotencyKeys(),
    fetch,
    ...overrides,
  });
}

/** The bodies of the /v1/responses requests in a journal, oldest first. */
export const responsesBodies = (journal: JournalEntry[]) =>
  journal.filter((entry) => entry.path === '/v1/responses').map((entry) => entry.body as ResponsesBody);

export interface ResponsesBody {
  input: Array<Record<string, unknown>>;
  previous_response_id?: string;
  [field: string]: unknown;
}
